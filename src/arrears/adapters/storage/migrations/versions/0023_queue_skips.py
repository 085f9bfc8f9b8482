"""queue skips (a skip's reason and the account's rest), queue builds and plan days (a plan
stored later the same day rebuilds the waiting part of the day's queue), accounts by agency

Revision ID: 0023_queue_skips
Revises: 0022_cases_and_payment_notices
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_queue_skips"
down_revision = "0022_cases_and_payment_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_agency", "accounts", ["agency_id"])
    op.create_table(
        "queue_skips",
        sa.Column("skip_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("queue_date", sa.Date(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rest_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("skip_id", name=op.f("pk_queue_skips")),
    )
    op.create_index("ix_queue_skips_rest", "queue_skips", ["queue_date", "account_id", "rest_until"])
    op.create_table(
        "queue_builds",
        sa.Column("queue_date", sa.Date(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("queue_date", name=op.f("pk_queue_builds")),
    )
    op.create_table(
        "plan_days",
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_date", name=op.f("pk_plan_days")),
    )


def downgrade() -> None:
    op.drop_table("plan_days")
    op.drop_table("queue_builds")
    op.drop_index("ix_queue_skips_rest", table_name="queue_skips")
    op.drop_table("queue_skips")
    op.drop_index("ix_accounts_agency", table_name="accounts")
