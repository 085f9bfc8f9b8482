"""scoring_runs.response_rates: each nightly run's refit of the response models (promise given a
right-party call, keep given a promise, a payment after a delivered message, per segment), with
their held-back calibration, as JSON (like ability_weights); the plan reads the latest

Revision ID: 0036_response_rates
Revises: 0035_ability_refit
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_response_rates"
down_revision = "0035_ability_refit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.add_column(sa.Column("response_rates", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.drop_column("response_rates")
