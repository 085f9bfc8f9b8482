"""placements: accounts placed with agencies (委案), their periods and recalls (退案)

Revision ID: 0026_placements
Revises: 0025_people_and_trail
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_placements"
down_revision = "0025_people_and_trail"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(100), nullable=False),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(10)),
        sa.Column("recalled_on", sa.Date()),
        sa.Column("recall_reason", sa.String(20)),
        sa.Column("recall_note", sa.Text()),
        sa.Column("recalled_by", sa.String(100)),
    )
    op.create_index("ix_placements_one_active", "placements", ["account_id"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_index("ix_placements_account", "placements", ["account_id", "placed_on"])
    op.create_index("ix_placements_agency_status", "placements", ["agency_id", "status"])


def downgrade() -> None:
    op.drop_table("placements")
