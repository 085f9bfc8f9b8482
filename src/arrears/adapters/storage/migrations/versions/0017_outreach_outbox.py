"""outreach: the outbox of planned messages and the inbound replies

Revision ID: 0017_outreach_outbox
Revises: 0015_key_fingerprints_and_masks
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_outreach_outbox"
down_revision = "0016_one_contact_ledger"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("contact_point_id", sa.String(length=64), nullable=False),
        _ts("scheduled_at", nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("offer", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        _ts("next_try_at"),
        _ts("lease_until"),
        sa.Column("attempt_id", sa.String(length=40), nullable=True),
        sa.Column("provider_id", sa.String(length=120), nullable=True),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("delivery", sa.String(length=20), nullable=True),
        _ts("enqueued_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["state", "scheduled_at"])
    op.create_index("ix_outbox_messages_provider_id", "outbox_messages", ["provider_id"])
    op.create_table(
        "inbound_messages",
        sa.Column("inbound_id", sa.String(length=40), nullable=False),
        _ts("at", nullable=False),
        sa.Column("from_hash", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("contact_point_id", sa.String(length=64), nullable=True),
        sa.Column("text_enc", sa.LargeBinary(), nullable=False),
        sa.Column("effect", sa.String(length=12), nullable=False),
        sa.Column("follow_up_id", sa.String(length=64), nullable=True),
        _ts("received_at", nullable=False),
        sa.PrimaryKeyConstraint("inbound_id", name="pk_inbound_messages"),
    )
    op.create_index("ix_inbound_messages_from_hash", "inbound_messages", ["from_hash"])


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_from_hash", table_name="inbound_messages")
    op.drop_table("inbound_messages")
    op.drop_index("ix_outbox_messages_provider_id", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
