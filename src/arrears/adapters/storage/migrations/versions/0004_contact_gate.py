"""contact gate: attempt ledger, append-only decision audit, per-debtor locks

Revision ID: 0004_contact_gate
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_contact_gate"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_attempts",
        sa.Column("attempt_id", sa.String(40), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("contact_point_id", sa.String(64)),
        sa.Column("address_hash", sa.String(32)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.String(64)),
        sa.Column("agency_id", sa.String(64)),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_party", sa.String(20)),
        sa.Column("notes", sa.Text()),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_contact_attempts_account_id", "contact_attempts", ["account_id"])
    op.create_index("ix_contact_attempts_customer_id", "contact_attempts", ["customer_id"])
    op.create_table(
        "compliance_decisions",
        sa.Column("decision_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("decided_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(200)),
        sa.Column("account_id", sa.String(64)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("channel", sa.String(10)),
        sa.Column("agent_id", sa.String(64)),
        sa.Column("pack_versions", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("attempt_id", sa.String(40)),
    )
    op.create_index("ix_compliance_decisions_account_id", "compliance_decisions", ["account_id"])
    op.create_index("ix_compliance_decisions_customer_id", "compliance_decisions", ["customer_id"])
    op.create_table(
        "debtor_locks",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("reservations", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION arrears_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'compliance_decisions is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER compliance_decisions_append_only BEFORE UPDATE OR DELETE "
            "ON compliance_decisions FOR EACH ROW EXECUTE FUNCTION arrears_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER compliance_decisions_no_{event.lower()} BEFORE {event} "
                "ON compliance_decisions BEGIN SELECT RAISE(ABORT, "
                "'compliance_decisions is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table("debtor_locks")
    op.drop_table("compliance_decisions")
    op.drop_table("contact_attempts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS arrears_append_only() CASCADE")
