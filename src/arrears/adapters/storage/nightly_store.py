"""Where the nightly run reads and writes (``services.nightly.ports``): the accounts to age,
their pauses and the previous run's buckets; a date's aging, bucket changes, roll rates and
run row; the scoring frames and a date's scores. Set-based (COPY on PostgreSQL) on the
connection of ``SqlNightlyUnitOfWork``, whose ``commit`` is the only commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.bulk import insert_frame, insert_rows
from arrears.adapters.storage.month_partitions import ensure_ahead
from arrears.adapters.storage.scoring_reader import read_scoring_frames, read_stored_balances, read_stored_segments
from arrears.adapters.storage.scoring_tables import account_scores, scoring_runs
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.domain.aging import PausePeriod


class SqlAging:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def accounts(self) -> pl.DataFrame:
        a = t.accounts.c
        rows = self._c.execute(
            select(a.account_id, a.oldest_unpaid_due_date, a.balance_cents, a.past_due_cents, a.min_payment_cents)
            .where(a.in_portfolio.is_(True))
        ).all()
        return pl.DataFrame(
            rows,
            schema={"account_id": pl.Utf8, "oldest": pl.Date, "balance_cents": pl.Int64,
                    "past_due_cents": pl.Int64, "min_payment_cents": pl.Int64},
            orient="row",
        )

    def pauses(self, as_of: date) -> dict[str, list[PausePeriod]]:
        p = t.pause_periods.c
        result: dict[str, list[PausePeriod]] = {}
        for row in self._c.execute(select(p.account_id, p.start, p.end, p.reason).where(p.start <= as_of)):
            result.setdefault(row.account_id, []).append(PausePeriod(row.start, row.end, row.reason))
        return result

    def previous(self, as_of: date) -> tuple[date | None, pl.DataFrame]:
        r = t.aging_runs.c
        previous = self._c.execute(
            select(r.as_of).where(r.as_of < as_of).order_by(r.as_of.desc()).limit(1)
        ).scalar()
        schema = {"account_id": pl.Utf8, "prev_bucket": pl.Utf8}
        if previous is None:
            return None, pl.DataFrame(schema=schema)
        g = t.account_aging.c
        rows = self._c.execute(select(g.account_id, g.bucket).where(g.as_of == previous)).all()
        return previous, pl.DataFrame(rows, schema=schema, orient="row")

    def clear(self, as_of: date) -> None:
        self._c.execute(delete(t.account_aging).where(t.account_aging.c.as_of == as_of))
        self._c.execute(delete(t.bucket_transitions).where(t.bucket_transitions.c.on == as_of))
        self._c.execute(delete(t.roll_rates).where(t.roll_rates.c.as_of == as_of))
        self._c.execute(delete(t.aging_runs).where(t.aging_runs.c.as_of == as_of))

    def add_aging(self, aged: pl.DataFrame) -> None:
        """Rows of as_of, account_id, dpd, bucket, balance_cents, past_due_cents."""
        insert_frame(self._c, t.account_aging, aged)

    def add_transitions(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of account_id, on, from_bucket, to_bucket, direction."""
        insert_rows(self._c, t.bucket_transitions, ("account_id", "on", "from_bucket", "to_bucket", "direction"),
                    rows)

    def add_roll_rates(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of as_of, from_bucket, to_bucket, accounts, balance_cents."""
        insert_rows(self._c, t.roll_rates, ("as_of", "from_bucket", "to_bucket", "accounts", "balance_cents"),
                    rows)

    def add_run(self, run: Mapping[str, Any]) -> None:
        self._c.execute(t.aging_runs.insert().values(**run))


class SqlScores:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def frames(self, as_of: date) -> dict[str, pl.DataFrame]:
        return read_scoring_frames(self._c, as_of)

    def balances(self, earliest: date, latest: date) -> pl.DataFrame:
        return read_stored_balances(self._c, earliest, latest)

    def segments(self, earliest: date, latest: date) -> tuple[date | None, pl.DataFrame]:
        return read_stored_segments(self._c, earliest, latest)

    def replace(self, as_of: date, scores: pl.DataFrame, run: Mapping[str, Any]) -> None:
        self._c.execute(delete(account_scores).where(account_scores.c.as_of == as_of))
        self._c.execute(delete(scoring_runs).where(scoring_runs.c.as_of == as_of))
        insert_frame(self._c, account_scores, scores)
        self._c.execute(scoring_runs.insert().values(as_of=as_of, **run))


class SqlNightlyUnitOfWork(SqlUnitOfWork):
    def _bind(self, connection: Connection) -> None:
        self._c = connection
        self.aging = SqlAging(connection)
        self.scores = SqlScores(connection)

    def prepare_months(self, as_of: date) -> None:
        ensure_ahead(self._c, as_of)

    def anything_ingested(self) -> bool:
        """A loaded snapshot or any account (accounts written otherwise than by ingest count)."""
        snapshot = self._c.execute(select(t.snapshots.c.snapshot_id).limit(1)).first()
        account = self._c.execute(select(t.accounts.c.account_id).limit(1)).first()
        return snapshot is not None or account is not None
