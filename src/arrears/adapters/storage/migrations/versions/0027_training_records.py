"""training_records: collectors' training entered in the workbench (培训记录)

Revision ID: 0027_training_records
Revises: 0026_placements
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_training_records"
down_revision = "0026_placements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_records",
        sa.Column("record_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("course", sa.String(100), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_records_agent_id", "training_records", ["agent_id"])


def downgrade() -> None:
    op.drop_table("training_records")
