"""Month partitions on PostgreSQL: the contact history (``contacts``), the attempt ledger
(``contact_attempts``) and the decision audit (``compliance_decisions``) are partitioned by
RANGE on their instant, one partition a calendar month in UTC (``contacts_2026_11``), plus a
default partition that catches a row of a month not made yet.

Why: at ten million accounts these tables hold hundreds of millions of rows. A month partition
keeps each index small and hot (the gate reads a debtor's last 31-35 days: one or two
partitions), and retention drops a whole month (``DROP TABLE``: instant, no dead rows, no
vacuum) instead of deleting rows one by one.

Months are made ahead: by the migration (every month with rows, then this month and the next
two), by each nightly run (this month and the next two) and by ingest (the months of the
contacts it loads). A month made after rows of it reached the default partition takes them over
(moved in the same transaction), except in the append-only decision audit, whose rows stay in
the default partition (never dropped by retention) rather than be deleted and rewritten.

SQLite has no partitions: every function here does nothing there, and retention only reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import Connection, text

from arrears.domain.retention import next_month

PARTITIONED: Mapping[str, str] = {  # table -> the instant it is partitioned by
    "contacts": "at",
    "contact_attempts": "at",
    "compliance_decisions": "decided_for",
}
APPEND_ONLY = frozenset({"compliance_decisions"})


def partition_name(table: str, month: date) -> str:
    return f"{table}_{month.year:04d}_{month.month:02d}"


def default_partition(table: str) -> str:
    return f"{table}_default"


def bounds_sql(month: date) -> tuple[str, str]:
    """The partition bounds of ``month`` as UTC instants (upper bound excluded)."""
    return f"{month.isoformat()} 00:00:00+00", f"{next_month(month).isoformat()} 00:00:00+00"


def is_partitioned(connection: Connection, table: str) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = :t AND relnamespace = "
                                   "current_schema()::regnamespace"), {"t": table}).scalar()
    return kind == "p"


def month_partitions(connection: Connection, table: str) -> list[date]:
    """The months that have a partition of their own, oldest first."""
    if not is_partitioned(connection, table):
        return []
    names = connection.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t AND p.relnamespace = "
        "current_schema()::regnamespace"), {"t": table}).scalars().all()
    pattern = re.compile(rf"^{re.escape(table)}_(\d{{4}})_(\d{{2}})$")
    return sorted(date(int(m.group(1)), int(m.group(2)), 1) for name in names if (m := pattern.match(name)))


def ensure_months(connection: Connection, table: str, months: Iterable[date]) -> list[date]:
    """Make the partitions of ``months`` (first days) that do not exist yet; returns those made."""
    if not is_partitioned(connection, table):
        return []
    have = set(month_partitions(connection, table))
    missing = sorted({m.replace(day=1) for m in months} - have)
    return [month for month in missing if _make_month(connection, table, month)]


def _make_month(connection: Connection, table: str, month: date) -> bool:
    column, name, default = PARTITIONED[table], partition_name(table, month), default_partition(table)
    start, end = bounds_sql(month)
    in_range = f"{column} >= '{start}' AND {column} < '{end}'"
    strays = connection.exec_driver_sql(f"SELECT count(*) FROM {default} WHERE {in_range}").scalar()
    if strays and table in APPEND_ONLY:
        return False  # the audit's rows are never deleted to be moved: the month stays in the default
    connection.exec_driver_sql(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)")
    if strays:
        connection.exec_driver_sql(
            f"WITH moved AS (DELETE FROM {default} WHERE {in_range} RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved")
    connection.exec_driver_sql(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")
    return True


def ensure_ahead(connection: Connection, today: date, months_ahead: int = 2) -> None:
    """This month and the next ``months_ahead`` for every partitioned table."""
    months = [today.replace(day=1)]
    for _ in range(months_ahead):
        months.append(next_month(months[-1]))
    for table in PARTITIONED:
        ensure_months(connection, table, months)


def drop_month(connection: Connection, table: str, month: date) -> None:
    """Detach and drop one month: its rows go at once, without a DELETE (so without row triggers)."""
    name = partition_name(table, month)
    connection.exec_driver_sql(f"ALTER TABLE {table} DETACH PARTITION {name}")
    connection.exec_driver_sql(f"DROP TABLE {name}")


_PARTITION_NAME = re.compile(rf"^({'|'.join(PARTITIONED)})_(\d{{4}}_\d{{2}}|default)$")


def is_month_partition(name: str | None) -> bool:
    """Whether a table name is one of the month (or default) partitions: not a table the code
    declares, so schema comparisons leave it out."""
    return bool(name and _PARTITION_NAME.match(name))


def include_name(name: str | None, kind: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: the partitions are not compared with the declared tables."""
    return not (kind == "table" and is_month_partition(name))
