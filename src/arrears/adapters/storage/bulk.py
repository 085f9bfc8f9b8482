"""Set-based writes: COPY on PostgreSQL, executemany on SQLite; staged updates for both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table

BATCH = 50_000
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%6f"  # how SQLAlchemy stores DateTime on SQLite


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


def insert_dicts(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of one table, each with the same keys, in one write: COPY on PostgreSQL (one
    statement, where an ``executemany`` runs one statement a row), the columns' own bind
    processing first (an instant made UTC, as an insert would); an ``executemany`` elsewhere."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    processors = [table.c[name].type.bind_processor(connection.dialect) for name in columns]
    steps = [(i, f) for i, f in enumerate(processors) if f is not None]
    raw = connection.connection.driver_connection
    prep = connection.dialect.identifier_preparer
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        f"COPY {prep.quote(table.name)} ({_quoted(connection, columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for i, process in steps:
                values[i] = process(values[i])
            copy.write_row(values)


def sqlite_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and instants as the text SQLAlchemy stores on SQLite, made in one vectorised pass
    (the sqlite3 module would otherwise adapt them one Python call per value)."""
    return frame.with_columns(
        [pl.col(c).dt.strftime(SQLITE_INSTANT) for c, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)]
        + [pl.col(c).dt.strftime("%Y-%m-%d") for c, dtype in frame.schema.items() if dtype == pl.Date]
    )


def insert_frame(connection: Connection, table: Table | str, frame: pl.DataFrame) -> int:
    """Insert a polars frame whose columns are named as the table's: CSV ``COPY`` on
    PostgreSQL (no Python per row), ``executemany`` on SQLite. Instants are UTC."""
    name = table if isinstance(table, str) else table.name
    if frame.height == 0:
        return 0
    if connection.dialect.name != "postgresql":
        frame = sqlite_ready(frame)
        return sum(insert_rows(connection, name, frame.columns, part.rows()) for part in frame.iter_slices(BATCH))
    prep = connection.dialect.identifier_preparer
    binary = [c for c, dtype in frame.schema.items() if dtype == pl.Binary]
    frame = frame.with_columns((pl.lit("\\x") + pl.col(c).bin.encode("hex")).alias(c) for c in binary)  # bytea hex
    payload = frame.write_csv(include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.6f+00:00")
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        f"COPY {prep.quote(name)} ({_quoted(connection, frame.columns)}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        copy.write(payload.encode())
    return frame.height


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
