"""dialer events: each number handed to a dialer, and what the dialer reported of the call

Revision ID: 0019_dialer_events
Revises: 0018_message_templates
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_dialer_events"
down_revision = "0018_message_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialer_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("contact_point_id", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_dialer_events")),
    )
    op.create_index("ix_dialer_events_attempt", "dialer_events", ["attempt_id", "event"])


def downgrade() -> None:
    op.drop_index("ix_dialer_events_attempt", table_name="dialer_events")
    op.drop_table("dialer_events")
