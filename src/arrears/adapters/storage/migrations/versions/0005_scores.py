"""nightly scoring: account_scores by date with reasons, scoring_runs with the model used

Revision ID: 0005_scores
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_scores"
down_revision = "0001"
branch_labels = None
depends_on = None


def _reason(k: int) -> list[sa.Column]:
    return [
        sa.Column(f"reason_{k}_code", sa.String(40), nullable=False),
        sa.Column(f"reason_{k}_zh", sa.String(200), nullable=False),
        sa.Column(f"reason_{k}_en", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "account_scores",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("ability", sa.Float(), nullable=False),
        sa.Column("willingness", sa.Float(), nullable=False),
        sa.Column("propensity", sa.Float(), nullable=False),
        sa.Column("segment", sa.String(20), nullable=False),
        *_reason(1),
        *_reason(2),
        *_reason(3),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column("model_kind", sa.String(20), nullable=False),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("as_of", "account_id", name="pk_account_scores"),
    )
    op.create_index("ix_account_scores_account", "account_scores", ["account_id", "as_of"])
    op.create_table(
        "scoring_runs",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_kind", sa.String(20), nullable=False),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("model_note", sa.Text(), nullable=False),
        sa.Column("ability_threshold", sa.Float(), nullable=False),
        sa.Column("willingness_threshold", sa.Float(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("as_of", name="pk_scoring_runs"),
    )


def downgrade() -> None:
    op.drop_table("scoring_runs")
    op.drop_index("ix_account_scores_account", table_name="account_scores")
    op.drop_table("account_scores")
