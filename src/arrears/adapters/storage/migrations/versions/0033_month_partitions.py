"""PostgreSQL: contacts, contact_attempts and compliance_decisions partitioned by month of their
instant (``adapters.storage.month_partitions``); audit_chain_anchors (where a log's chain starts
again after retention dropped its oldest months); contact_attempts.contact_id indexed without
uniqueness (a unique index of a partitioned table must hold the month; contact ids are random
UUIDs, unique by construction)

Each table is rebuilt: renamed, a partitioned table made in its place with the same columns,
the primary key widened by the partition instant (PostgreSQL requires it), the indexes and the
append-only triggers made again, the rows copied, the old table dropped. SQLite is unchanged but
for the index and the anchors table.

Revision ID: 0033_month_partitions
Revises: 0032_phone_last4
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0033_month_partitions"
down_revision = "0032_phone_last4"
branch_labels = None
depends_on = None

TABLES = {  # table -> (partition instant, primary key column)
    "contacts": ("at", "contact_id"),
    "contact_attempts": ("at", "attempt_id"),
    "compliance_decisions": ("decided_for", "decision_id"),
}


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(table: str, column: str) -> list[date]:
    found = op.get_bind().exec_driver_sql(
        f"SELECT DISTINCT date_trunc('month', {column} AT TIME ZONE 'UTC')::date FROM {table}").scalars().all()
    today = datetime.now(UTC).date().replace(day=1)
    ahead = [today, _next(today), _next(_next(today))]
    return sorted(set(found) | set(ahead))


def _index_definitions(table: str) -> list[str]:
    """CREATE INDEX statements of the table's secondary indexes (the primary key excluded)."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %(t)s "
        "AND indexname <> %(pk)s", {"t": table, "pk": f"pk_{table}"}).scalars().all()
    return [row.replace(" UNIQUE ", " ") for row in rows]


def _trigger_definitions(table: str) -> list[str]:
    return list(op.get_bind().exec_driver_sql(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal",
        {"t": table}).scalars().all())


def _partition(table: str, column: str, key: str) -> None:
    old = f"{table}_unpartitioned"
    indexes = _index_definitions(table)
    triggers = _trigger_definitions(table)
    months = _months(table, column)
    bind = op.get_bind()
    names = bind.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                                 "AND tablename = %(t)s", {"t": table}).scalars().all()
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for name in names:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS) PARTITION BY RANGE ({column})")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key}, {column})")
    for month in months:
        start, end = f"{month.isoformat()} 00:00:00+00", f"{_next(month).isoformat()} 00:00:00+00"
        op.execute(f"CREATE TABLE {table}_{month.year:04d}_{month.month:02d} PARTITION OF {table} "
                   f"FOR VALUES FROM ('{start}') TO ('{end}')")
    op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    for definition in [*indexes, *triggers]:
        op.execute(definition)
    sequence = bind.exec_driver_sql("SELECT pg_get_serial_sequence(%(t)s, %(c)s)", {"t": old, "c": key}).scalar()
    if sequence:
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {table}.{key}")
    op.execute(f"DROP TABLE {old}")
    op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "audit_chain_anchors",
        sa.Column("log", sa.String(40), primary_key=True),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("after_hash", sa.String(64), nullable=False),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=False),
    )
    if dialect != "postgresql":
        op.drop_index("ix_contact_attempts_contact_id", table_name="contact_attempts")
        op.create_index("ix_contact_attempts_contact_id", "contact_attempts", ["contact_id"])
        return
    for table, (column, key) in TABLES.items():
        _partition(table, column, key)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("audit_chain_anchors")
    if dialect != "postgresql":
        op.drop_index("ix_contact_attempts_contact_id", table_name="contact_attempts")
        op.create_index("ix_contact_attempts_contact_id", "contact_attempts", ["contact_id"], unique=True)
        return
    for table, (_column, key) in TABLES.items():
        indexes, triggers = _index_definitions(table), _trigger_definitions(table)
        names = op.get_bind().exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %(t)s",
            {"t": table}).scalars().all()
        op.execute(f"ALTER TABLE {table} RENAME TO {table}_partitioned")
        for name in names:
            op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
        op.execute(f"CREATE TABLE {table} (LIKE {table}_partitioned INCLUDING DEFAULTS)")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
        op.execute(f"INSERT INTO {table} SELECT * FROM {table}_partitioned")
        for definition in [*indexes, *triggers]:
            op.execute(definition)
        sequence = op.get_bind().exec_driver_sql("SELECT pg_get_serial_sequence(%(t)s, %(c)s)",
                                                 {"t": f"{table}_partitioned", "c": key}).scalar()
        if sequence:
            op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {table}.{key}")
        op.execute(f"DROP TABLE {table}_partitioned CASCADE")
    op.create_index("ix_contact_attempts_contact_id_unique", "contact_attempts", ["contact_id"], unique=True)
    op.drop_index("ix_contact_attempts_contact_id", table_name="contact_attempts")
    op.execute("ALTER INDEX ix_contact_attempts_contact_id_unique RENAME TO ix_contact_attempts_contact_id")
