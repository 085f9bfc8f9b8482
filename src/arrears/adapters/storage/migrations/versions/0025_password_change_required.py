"""users.password_change_required: a generated or reset password must be changed at first login

Revision ID: 0025_password_change_required
Revises: 0020_employer_provided_email
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_password_change_required"
down_revision = "0020_employer_provided_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:  # batch: SQLite rebuilds the table
        batch.add_column(sa.Column("password_change_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_required")
