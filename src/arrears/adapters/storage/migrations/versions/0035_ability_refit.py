"""account_aging.min_payment_cents: each nightly run keeps the minimum payment with the balances,
so the ability components can be rebuilt as they stood on a past date; scoring_runs.ability_weights:
each nightly run's refit of the ability weights, as JSON (like willingness_weights)

Revision ID: 0035_ability_refit
Revises: 0034_willingness_refit
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035_ability_refit"
down_revision = "0034_willingness_refit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_aging") as batch:
        batch.add_column(sa.Column("min_payment_cents", sa.BigInteger()))
    with op.batch_alter_table("scoring_runs") as batch:
        batch.add_column(sa.Column("ability_weights", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.drop_column("ability_weights")
    with op.batch_alter_table("account_aging") as batch:
        batch.drop_column("min_payment_cents")
