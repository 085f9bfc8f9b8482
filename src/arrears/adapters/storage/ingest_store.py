"""Where ingest writes (``services.ingest.ports``): the portfolio tables, loaded set-based
(``load_table``: a keyed digest per row finds the new and changed rows in one join; the new
ones go in by COPY or ``executemany``, the changed by one staged update), the dispute pauses
and the snapshots, all in the one transaction of ``SqlIngestUnitOfWork``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

import polars as pl
from sqlalchemy import Connection, Engine, Table, func, or_, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.allocation_repository import reapply_placements
from arrears.adapters.storage.bulk import insert_frame, insert_rows, sqlite_ready, update_rows
from arrears.adapters.storage.contact_points_repository import reapply_contact_point_changes
from arrears.adapters.storage.core_workers import PARALLEL_FROM, CoreWorkers
from arrears.adapters.storage.month_partitions import ensure_months
from arrears.adapters.storage.portfolio_loaders import LOADER_OF, Loader, row_digests
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.adapters.storage.workbench_tables import training_records


def _existing(connection: Connection, loader: Loader) -> pl.DataFrame:
    columns = [loader.table.c[loader.key].label("key"), loader.table.c.row_digest.label("old")]
    if loader.membership:
        columns.append(loader.table.c.in_portfolio.label("was_in"))
    rows = connection.execute(select(*columns)).all()
    schema = {"key": pl.Utf8, "old": pl.Utf8, "was_in": pl.Boolean}
    if not loader.membership:
        schema.pop("was_in")
    return pl.DataFrame(rows, schema=schema, orient="row")


def _write(connection: Connection, loader: Loader, built: pl.DataFrame) -> int:
    return insert_frame(connection, loader.table, built.select(loader.columns))


BULK_FIRST_LOAD = 100_000  # rows: from here on, a first load builds secondary indexes afterwards


@contextmanager
def _indexes_deferred(connection: Connection, table: Table, defer: bool) -> Iterator[None]:
    """Drop a table's secondary indexes for a first bulk load and build them afterwards:
    sorting once is much faster than maintaining random-key B-trees row by row. DDL is
    transactional on SQLite and PostgreSQL, so a failed load leaves the indexes as they were."""
    if not defer:
        yield
        return
    indexes = list(table.indexes)
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def load_table(connection: Connection, loader: Loader, frame: pl.DataFrame, workers: CoreWorkers) -> dict[str, int]:
    """Insert the new rows, update the changed ones (an append-only ledger keeps them as
    stored and counts them), mark the rows that left the portfolio; set-based throughout."""
    dialect = connection.dialect.name
    frame = frame.with_columns(
        row_digests(frame, list(loader.digest_columns), workers, loader.personal)
    )
    existing = _existing(connection, loader)
    joined = frame.join(existing, left_on=loader.key, right_on="key", how="left")
    is_new = pl.col("old").is_null()
    changed = ~is_new & (pl.col("old") != pl.col("row_digest"))
    if loader.membership:
        changed = changed | (~is_new & ~pl.col("was_in"))
    new_rows = joined.filter(is_new)
    changed_rows = joined.filter(changed)
    counts = dict.fromkeys(("inserted", "updated", "left_portfolio", "ignored_changes"), 0)
    counts["unchanged"] = joined.height - new_rows.height - changed_rows.height
    with _indexes_deferred(connection, loader.table, existing.height == 0 and new_rows.height >= BULK_FIRST_LOAD):
        counts["inserted"] = _write(connection, loader, loader.build(new_rows, workers, dialect))
    if loader.append_only:
        counts["ignored_changes"] = changed_rows.height
    else:
        built = loader.build(changed_rows, workers, dialect).select(loader.columns)
        rows = (built if dialect == "postgresql" else sqlite_ready(built)).rows()
        update_rows(connection, loader.table, loader.key, loader.columns[1:], rows)
        counts["updated"] = len(rows)
    if loader.membership and existing.height:
        gone = existing.filter(pl.col("was_in") & ~pl.col("key").is_in(frame[loader.key].implode()))
        if gone.height:
            update_rows(
                connection, loader.table, loader.key, ["in_portfolio"],
                [(k, False) for k in gone["key"].to_list()],
            )
        counts["left_portfolio"] = gone.height
    _analyze_if_changed(connection, loader.table, counts)
    return counts


def _analyze_if_changed(connection: Connection, table: Table, counts: dict[str, int]) -> None:
    """On PostgreSQL, the planner's statistics of a table the load changed, taken now and not
    whenever autovacuum comes by (if it runs at all): after a first bulk load without them every
    plan rests on default guesses, and the dialers' reserve path made 121 decisions a second on
    such tables against 147-167 with statistics (docs/benchmarks.md). ANALYZE samples a fixed
    number of rows, so it is quick however large the table; it runs inside the load's transaction."""
    if connection.dialect.name == "postgresql" and counts["inserted"] + counts["updated"] + counts["left_portfolio"]:
        connection.exec_driver_sql(f'ANALYZE "{table.name}"')


class SqlPortfolioTables:
    """The portfolio tables a snapshot is loaded into, on the unit of work's connection."""

    def __init__(self, connection: Connection, workers: CoreWorkers) -> None:
        self._c, self._workers = connection, workers

    def load(self, source: str, frame: pl.DataFrame) -> dict[str, int]:
        if source == "contacts" and frame.height:  # their months have partitions first (PostgreSQL)
            months = frame.select(pl.col("at_t").dt.truncate("1mo").dt.date().unique())["at_t"].to_list()
            ensure_months(self._c, "contacts", months)
        counts = load_table(self._c, LOADER_OF[source], frame, self._workers)
        if source == "accounts":
            reapply_placements(self._c)  # arrears' placements, not the file, say which agency works an account
        if source == "agents":
            reapply_training(self._c)  # training recorded in the workbench is not forgotten by the next file
        if source == "contact_points":  # nor what a customer told a collector about their numbers
            reapply_contact_point_changes(self._c)
        return counts


def reapply_training(connection: Connection) -> None:
    """An agent's training date is the later of the file's and the latest training record's."""
    a, r = t.agents.c, training_records.c
    latest = select(func.max(r.valid_until)).where(r.agent_id == a.agent_id).scalar_subquery()
    connection.execute(update(t.agents).where(a.agent_id.in_(select(r.agent_id)),
                                              or_(a.training_valid_until.is_(None), a.training_valid_until < latest))
                       .values(training_valid_until=latest))


class SqlPausePeriods:
    """Dispute pauses (停表) of accounts; an open one has no end."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def open_periods(self) -> tuple[tuple[int, str, date], ...]:
        p = t.pause_periods.c
        rows = self._c.execute(select(p.pause_id, p.account_id, p.start).where(p.end.is_(None))).all()
        return tuple((row.pause_id, row.account_id, row.start) for row in rows)

    def open(self, account_ids: list[str], start: date, reason: str) -> None:
        insert_rows(self._c, t.pause_periods, ("account_id", "start", "end", "reason"),
                    [(a, start, None, reason) for a in account_ids])

    def close(self, ends: Mapping[int, date]) -> None:
        p = t.pause_periods
        for pause_id, end in ends.items():
            self._c.execute(update(p).where(p.c.pause_id == pause_id).values(end=end))


class SqlSnapshots:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def latest_digest(self) -> str | None:
        s = t.snapshots.c
        return self._c.execute(select(s.digest).order_by(s.snapshot_id.desc()).limit(1)).scalar()

    def add(self, *, digest: str, as_of: date, ingested_at: datetime, source: str,
            summary: Mapping[str, object]) -> int | None:
        result = self._c.execute(t.snapshots.insert().values(
            digest=digest, as_of=as_of, ingested_at=ingested_at, source=source, summary=json.dumps(summary)))
        return result.inserted_primary_key[0] if result.inserted_primary_key else None


class SqlIngestUnitOfWork(SqlUnitOfWork):
    """A snapshot loads in one transaction: every table, the pauses and the snapshot's row
    commit together, or (an error, a killed process) nothing does. Personal fields of a large
    load are encrypted on every core (``CoreWorkers``); the workers end with the block."""

    def __init__(self, engine: Engine, cipher: FieldCipher, *, parallel_from: int = PARALLEL_FROM) -> None:
        super().__init__(engine)
        self._workers = CoreWorkers(cipher, parallel_from=parallel_from)

    def _bind(self, connection: Connection) -> None:
        self.tables = SqlPortfolioTables(connection, self._workers)
        self.pauses = SqlPausePeriods(connection)
        self.snapshots = SqlSnapshots(connection)

    def __exit__(self, *args: object) -> None:
        try:
            super().__exit__(*args)
        finally:
            self._workers.close()
