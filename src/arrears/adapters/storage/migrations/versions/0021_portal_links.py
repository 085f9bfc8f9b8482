"""the customer's own page: links, one-time codes, sessions and preferences

Revision ID: 0021_portal_links
Revises: 0020_employer_provided_email
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_portal_links"
down_revision = "0020_employer_provided_email"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "portal_links",
        sa.Column("link_id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=True),
        _ts("created_at", False), _ts("expires_at", False), _ts("revoked_at"),
        sa.Column("wrong_codes", sa.Integer(), nullable=False),
        _ts("locked_until"),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_portal_links")),
    )
    op.create_index("ix_portal_links_account_id", "portal_links", ["account_id"])
    op.create_table(
        "portal_codes",
        sa.Column("code_id", sa.String(length=40), nullable=False),
        sa.Column("link_id", sa.String(length=24), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("to_hash", sa.String(length=32), nullable=False),
        _ts("sent_at", False), _ts("expires_at", False), _ts("used_at"),
        sa.PrimaryKeyConstraint("code_id", name=op.f("pk_portal_codes")),
    )
    op.create_index("ix_portal_codes_link", "portal_codes", ["link_id", "sent_at"])
    op.create_index("ix_portal_codes_to", "portal_codes", ["to_hash", "sent_at"])
    op.create_table(
        "portal_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        _ts("created_at", False), _ts("last_seen_at", False), _ts("closed_at"),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_portal_sessions")),
    )
    op.create_table(
        "portal_preferences",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("preferred_channel", sa.String(length=10), nullable=True),
        sa.Column("preferred_hours", sa.String(length=20), nullable=True),
        sa.Column("opted_out", sa.String(length=60), nullable=False),
        sa.Column("link_id", sa.String(length=24), nullable=False),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_portal_preferences")),
    )


def downgrade() -> None:
    op.drop_table("portal_preferences")
    op.drop_table("portal_sessions")
    op.drop_index("ix_portal_codes_to", table_name="portal_codes")
    op.drop_index("ix_portal_codes_link", table_name="portal_codes")
    op.drop_table("portal_codes")
    op.drop_index("ix_portal_links_account_id", table_name="portal_links")
    op.drop_table("portal_links")
