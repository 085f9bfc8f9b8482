"""The audit as a hash chain: prev_hash and row_hash on audit_events, access_audit and
compliance_decisions, and audit_chain_heads (where sealing stopped in each log); and
compliance_decisions.facts_enc, the request each decision judged, encrypted (for replay)

Revision ID: 0028_audit_chain
Revises: 0027_training_records
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_audit_chain"
down_revision = "0027_training_records"
branch_labels = None
depends_on = None

LOGS = ("audit_events", "access_audit", "compliance_decisions")
GUARDED = {"audit_events": "audit_events_append_only", "compliance_decisions": "arrears_append_only"}


def _sealing_only_postgres(function: str) -> str:
    """The append-only trigger lets one update through: setting a row's hashes when it is sealed."""
    return (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL "
            "AND (to_jsonb(OLD) - 'prev_hash' - 'row_hash') = (to_jsonb(NEW) - 'prev_hash' - 'row_hash') "
            "THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")


def _sealing_only_sqlite(table: str) -> None:
    columns = [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)
               if c["name"] not in ("prev_hash", "row_hash")]
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns)
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
               f"WHEN NOT (OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL AND {unchanged}) "
               f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _restore_sqlite(table: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
               f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def upgrade() -> None:
    with op.batch_alter_table("compliance_decisions") as batch:
        batch.add_column(sa.Column("facts_enc", sa.LargeBinary()))
    for log in LOGS:
        with op.batch_alter_table(log) as batch:
            batch.add_column(sa.Column("prev_hash", sa.String(64)))
            batch.add_column(sa.Column("row_hash", sa.String(64)))
    op.create_table(
        "audit_chain_heads",
        sa.Column("log", sa.String(40), primary_key=True),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table, function in GUARDED.items():
        if op.get_bind().dialect.name == "postgresql":
            op.execute(_sealing_only_postgres(function))
        else:
            _sealing_only_sqlite(table)


def downgrade() -> None:
    for table, function in GUARDED.items():
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN "
                       "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")
        else:
            _restore_sqlite(table)
    op.drop_table("audit_chain_heads")
    for log in LOGS:
        with op.batch_alter_table(log) as batch:
            batch.drop_column("row_hash")
            batch.drop_column("prev_hash")
    with op.batch_alter_table("compliance_decisions") as batch:
        batch.drop_column("facts_enc")
