"""contact_point_changes: numbers customers gave collectors, numbers marked wrong, consents (issue 16)

Revision ID: 0031_contact_points
Revises: 0028_audit_chain
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_contact_points"
down_revision = "0028_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_point_changes",
        sa.Column("change_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("contact_point_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20)),
        sa.Column("consent_method", sa.String(20)),
        sa.Column("consent_scope", sa.String(30)),
        sa.Column("consent_on", sa.Date()),
        sa.Column("owner", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("consent", sa.Boolean()),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_contact_point_changes_point", "contact_point_changes", ["contact_point_id", "change_id"])


def downgrade() -> None:
    op.drop_table("contact_point_changes")
