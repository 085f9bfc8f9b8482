"""users.password_change_required (a generated or reset password is changed at first login), and
an index on compliance_decisions.decided_for (the audit trail pages by time)

Revision ID: 0025_people_and_trail
Revises: 0023_queue_skips
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_people_and_trail"
down_revision = "0023_queue_skips"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:  # batch: SQLite rebuilds the table
        batch.add_column(sa.Column("password_change_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index("ix_compliance_decisions_decided_for", "compliance_decisions", ["decided_for"])


def downgrade() -> None:
    op.drop_index("ix_compliance_decisions_decided_for", "compliance_decisions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_required")
