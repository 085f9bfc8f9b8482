"""contact_points.employer_provided: an e-mail address the owner's employer provides (US: never e-mailed)

Revision ID: 0020_employer_provided_email
Revises: 0019_dialer_events
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_employer_provided_email"
down_revision = "0019_dialer_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:  # batch: SQLite rebuilds the table
        batch.add_column(sa.Column("employer_provided", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_column("employer_provided")
