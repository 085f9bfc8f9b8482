"""workbench: users, API tokens, sessions, access audit, work queue, logged contacts, follow-ups

Revision ID: 0003_workbench
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_workbench"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _ts("locked_until"),
        _ts("created_at", nullable=False),
        _ts("last_login_at"),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
        sa.PrimaryKeyConstraint("token_id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "web_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
        sa.PrimaryKeyConstraint("session_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "access_audit",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        _ts("at", nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name="pk_access_audit"),
    )
    op.create_index("ix_access_audit_at", "access_audit", ["at"])
    op.create_index("ix_access_audit_kind_at", "access_audit", ["kind", "at"])
    op.create_index("ix_access_audit_account", "access_audit", ["account_id"])
    op.create_table(
        "work_items",
        sa.Column("item_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("queue_date", sa.Date(), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("best_hour", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assigned_to", ID, nullable=True),
        _ts("assigned_at"),
        _ts("lease_until"),
        _ts("done_at"),
        sa.PrimaryKeyConstraint("item_id", name="pk_work_items"),
        sa.UniqueConstraint("queue_date", "account_id", name="uq_work_items_day_account"),
    )
    op.create_index("ix_work_items_pick", "work_items", ["queue_date", "status", "priority"])
    op.create_index("ix_work_items_assignee", "work_items", ["assigned_to", "status"])
    op.create_table(
        "logged_contacts",
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("contact_point_id", ID, nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        _ts("at", nullable=False),
        sa.Column("party", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("promise_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("dispute", sa.Boolean(), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        _ts("callback_at"),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("pack_versions", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", name="pk_logged_contacts"),
    )
    op.create_index("ix_logged_contacts_account_id", "logged_contacts", ["account_id"])
    op.create_index("ix_logged_contacts_user_at", "logged_contacts", ["user_id", "at"])
    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("owner_user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        _ts("due_at", nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", ID, nullable=False),
        _ts("created_at", nullable=False),
        _ts("done_at"),
        sa.Column("handed_over_from", ID, nullable=True),
        sa.PrimaryKeyConstraint("follow_up_id", name="pk_follow_ups"),
    )
    op.create_index("ix_follow_ups_account_id", "follow_ups", ["account_id"])
    op.create_index("ix_follow_ups_owner_due", "follow_ups", ["owner_user_id", "status", "due_at"])


def downgrade() -> None:
    for name in ("follow_ups", "logged_contacts", "work_items", "access_audit", "web_sessions",
                 "api_tokens", "users"):
        op.drop_table(name)
