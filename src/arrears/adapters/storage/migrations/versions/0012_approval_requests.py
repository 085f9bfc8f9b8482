"""approval_requests: maker–checker requests for arrangements above the maker's authority

Revision ID: 0012_approval_requests
Revises: 0011_one_head
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_approval_requests"
down_revision = "0011_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("approval_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("maker", sa.String(length=100), nullable=False),
        sa.Column("required_authority", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("approval_id", name="pk_approval_requests"),
    )
    op.create_index("ix_approval_requests_account_id", "approval_requests", ["account_id"], unique=False)
    op.create_index("ix_approval_requests_status", "approval_requests", ["status", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_approval_requests_status", table_name="approval_requests")
    op.drop_index("ix_approval_requests_account_id", table_name="approval_requests")
    op.drop_table("approval_requests")
