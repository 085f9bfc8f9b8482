"""Set-based writes: COPY on PostgreSQL, executemany on SQLite; staged updates for both."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

BATCH = 50_000


def _quoted(connection: Connection, names: Sequence[str]) -> str:
    prep = connection.dialect.identifier_preparer
    return ", ".join(prep.quote(n) for n in names)


def insert_rows(
    connection: Connection, table: Table | str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert many rows fast. Returns how many were written."""
    name = table if isinstance(table, str) else table.name
    prep = connection.dialect.identifier_preparer
    count = 0
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {prep.quote(name)} ({_quoted(connection, columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {prep.quote(name)} ({_quoted(connection, columns)}) VALUES ({placeholders})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(tuple(row))
        if len(batch) >= BATCH:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    cursor.close()
    return count


def update_rows(
    connection: Connection,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> int:
    """Update rows by key through a staging table (one set-based UPDATE ... FROM)."""
    if not rows:
        return 0
    prep = connection.dialect.identifier_preparer
    stage = f"stage_{table.name}"
    cols = [key, *columns]
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {_quoted(connection, cols)} FROM {prep.quote(table.name)} WITH NO DATA"
        )
    else:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{stage}")
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE {stage} AS SELECT {_quoted(connection, cols)} "
            f"FROM {prep.quote(table.name)} WHERE 0"
        )
    insert_rows(connection, stage, cols, rows)
    assignments = ", ".join(f"{prep.quote(c)} = s.{prep.quote(c)}" for c in columns)
    result = connection.exec_driver_sql(
        f"UPDATE {prep.quote(table.name)} SET {assignments} FROM {stage} AS s "
        f"WHERE {prep.quote(table.name)}.{prep.quote(key)} = s.{prep.quote(key)}"
    )
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(f"DROP TABLE temp.{stage}")
    else:
        connection.exec_driver_sql(f"DROP TABLE {stage}")
    return result.rowcount
