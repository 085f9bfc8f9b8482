"""planning: the stored daily plans (strategy and version per planned attempt)

Revision ID: 0010_planning
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_planning"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "plan_attempts",
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("contact_point_id", ID, nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("offer", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("strategy_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_date", "position", name="pk_plan_attempts"),
    )
    op.create_index("ix_plan_attempts_account", "plan_attempts", ["account_id", "plan_date"])


def downgrade() -> None:
    op.drop_index("ix_plan_attempts_account", table_name="plan_attempts")
    op.drop_table("plan_attempts")
