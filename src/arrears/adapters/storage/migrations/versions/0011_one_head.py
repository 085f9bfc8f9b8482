"""one head: the five capability branches off 0001 joined; every later revision is linear

Revision ID: 0011_one_head
Revises: 0002_arrangements, 0003_workbench, 0004_contact_gate, 0005_scores, 0010_planning
"""
from __future__ import annotations

revision = "0011_one_head"
down_revision = ("0002_arrangements", "0003_workbench", "0004_contact_gate", "0005_scores", "0010_planning")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
