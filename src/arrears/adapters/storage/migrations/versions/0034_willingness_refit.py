"""scoring_runs.willingness_weights: each nightly run's refit of the willingness weights (the
weights, the prior, the held-out AUCs, whether they were used and why), as JSON

Revision ID: 0034_willingness_refit
Revises: 0033_month_partitions
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034_willingness_refit"
down_revision = "0033_month_partitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.add_column(sa.Column("willingness_weights", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.drop_column("willingness_weights")
