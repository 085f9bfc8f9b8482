"""service tokens (systems that call the API with scopes) and the caller of each HTTP compliance check

Revision ID: 0014_service_tokens
Revises: 0013_attempt_notes_removed
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_service_tokens"
down_revision = "0013_attempt_notes_removed"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "service_tokens",
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at"),
        _ts("revoked_at"),
        _ts("last_used_at"),
        sa.PrimaryKeyConstraint("token_id", name="pk_service_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_service_tokens_token_hash"),
    )
    # an added nullable column: the append-only triggers on compliance_decisions stay as they are
    op.add_column("compliance_decisions", sa.Column("caller", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("compliance_decisions") as batch:
        batch.drop_column("caller")
    op.drop_table("service_tokens")
