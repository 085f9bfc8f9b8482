"""The nightly run: age every account, record bucket changes, compute roll rates.

Aging is vectorised over all accounts, but the rule itself lives in the domain: DPD is
computed by ``domain.aging.days_past_due`` once per distinct oldest-unpaid date (and per
account only where pause periods apply), and buckets by ``AgingLadder.bucket_for`` once per
distinct DPD. Re-running a date replaces that date's results, so nothing is duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import Connection, Engine, delete, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.bulk import insert_frame, insert_rows
from arrears.domain.aging import AgingLadder, PausePeriod, days_past_due, roll_rates_from_counts, transition

if TYPE_CHECKING:
    from polars._typing import PolarsDataType


@dataclass
class BucketLine:
    bucket: str
    accounts: int
    balance_cents: int


@dataclass
class RunReport:
    as_of: date
    previous_as_of: date | None
    accounts: int
    balance_cents: int
    buckets: list[BucketLine]
    transitions: int
    roll_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rates: dict[str, dict[str, float]] = field(default_factory=dict)  # domain.aging roll rates
    timings: dict[str, float] = field(default_factory=dict)

    def roll_rate(self, before: str, after: str) -> float | None:
        row = self.rates.get(before)
        return None if row is None else row.get(after, 0.0)


def _read_accounts(connection: Connection) -> pl.DataFrame:
    a = t.accounts.c
    rows = connection.execute(
        select(a.account_id, a.oldest_unpaid_due_date, a.balance_cents, a.past_due_cents)
        .where(a.in_portfolio.is_(True))
    ).all()
    return pl.DataFrame(
        rows,
        schema={"account_id": pl.Utf8, "oldest": pl.Date, "balance_cents": pl.Int64,
                "past_due_cents": pl.Int64},
        orient="row",
    )


def _pauses(connection: Connection, as_of: date) -> dict[str, list[PausePeriod]]:
    p = t.pause_periods.c
    result: dict[str, list[PausePeriod]] = {}
    for row in connection.execute(select(p.account_id, p.start, p.end, p.reason).where(p.start <= as_of)):
        result.setdefault(row.account_id, []).append(PausePeriod(row.start, row.end, row.reason))
    return result


def _mapped(column: str, mapping: dict, dtype: PolarsDataType, default: int | None = None) -> pl.Expr:
    """``column``'s values through ``mapping``, typed ``dtype``. With nothing to map (no
    account in the portfolio) polars would keep the column's own type, so the frame of an
    empty portfolio would not join the previous run's buckets."""
    if not mapping:
        return pl.lit(default, dtype=dtype)
    keys, values = list(mapping), list(mapping.values())
    if default is None:
        return pl.col(column).replace_strict(keys, values, return_dtype=dtype)
    return pl.col(column).replace_strict(keys, values, default=default, return_dtype=dtype)


def age_accounts(
    accounts: pl.DataFrame, as_of: date, ladder: AgingLadder, pauses: dict[str, list[PausePeriod]]
) -> pl.DataFrame:
    """Add ``dpd`` and ``bucket`` columns using the domain rules."""
    distinct = accounts["oldest"].unique().to_list()
    dpd_by_date = {d: days_past_due(d, as_of) for d in distinct}
    frame = accounts.with_columns(
        _mapped("oldest", dpd_by_date, pl.Int32, default=0).fill_null(0).alias("dpd")
    )
    if pauses:
        paused = frame.filter(pl.col("account_id").is_in(list(pauses)))
        fixes = {
            aid: days_past_due(oldest, as_of, pauses[aid])
            for aid, oldest in paused.select("account_id", "oldest").iter_rows()
        }
        frame = frame.with_columns(
            pl.col("account_id").replace_strict(
                list(fixes), list(fixes.values()), default=pl.col("dpd"), return_dtype=pl.Int32
            ).alias("dpd")
        )
    buckets = {d: ladder.bucket_for(d) for d in frame["dpd"].unique().to_list()}
    return frame.with_columns(
        _mapped("dpd", buckets, pl.Utf8).alias("bucket")
    )


def _previous(connection: Connection, as_of: date) -> tuple[date | None, pl.DataFrame]:
    r = t.aging_runs.c
    previous = connection.execute(
        select(r.as_of).where(r.as_of < as_of).order_by(r.as_of.desc()).limit(1)
    ).scalar()
    schema = {"account_id": pl.Utf8, "prev_bucket": pl.Utf8}
    if previous is None:
        return None, pl.DataFrame(schema=schema)
    g = t.account_aging.c
    rows = connection.execute(select(g.account_id, g.bucket).where(g.as_of == previous)).all()
    return previous, pl.DataFrame(rows, schema=schema, orient="row")


def _clear(connection: Connection, as_of: date) -> None:
    connection.execute(delete(t.account_aging).where(t.account_aging.c.as_of == as_of))
    connection.execute(delete(t.bucket_transitions).where(t.bucket_transitions.c.on == as_of))
    connection.execute(delete(t.roll_rates).where(t.roll_rates.c.as_of == as_of))
    connection.execute(delete(t.aging_runs).where(t.aging_runs.c.as_of == as_of))


def run_nightly(
    engine: Engine,
    as_of: date,
    ladder: AgingLadder,
    now: datetime,
    stage: Callable[[str], None] = lambda _s: None,
) -> RunReport:
    with engine.begin() as connection:
        stage("read accounts")
        accounts = _read_accounts(connection)
        pauses = _pauses(connection, as_of)
        stage("age accounts")
        aged = age_accounts(accounts, as_of, ladder, pauses)
        previous_as_of, previous = _previous(connection, as_of)
        joined = aged.join(previous, on="account_id", how="left").with_columns(
            pl.col("prev_bucket").fill_null("M0")
        )
        changed = joined.filter(pl.col("prev_bucket") != pl.col("bucket"))
        # the direction of each distinct (before, after) pair, by the domain's rule
        directions = {
            f"{before}>{after}": move.direction
            for before, after in changed.select("prev_bucket", "bucket").unique().iter_rows()
            if (move := transition("", as_of, before, after, ladder)) is not None
        }
        moved = changed.with_columns(
            (pl.col("prev_bucket") + ">" + pl.col("bucket"))
            .replace_strict(list(directions), list(directions.values()), return_dtype=pl.Utf8)
            .alias("direction")
        )
        stage("store aging")
        _clear(connection, as_of)
        insert_frame(connection, t.account_aging, aged.select(
            pl.lit(as_of).alias("as_of"), "account_id", "dpd", "bucket", "balance_cents", "past_due_cents"))
        insert_rows(
            connection, t.bucket_transitions,
            ("account_id", "on", "from_bucket", "to_bucket", "direction"),
            ((aid, as_of, before, after, direction) for aid, before, after, direction in moved.select(
                "account_id", "prev_bucket", "bucket", "direction").iter_rows()),
        )
        stage("roll rates")
        roll = (
            joined.filter(pl.lit(previous_as_of is not None))
            .group_by("prev_bucket", "bucket")
            .agg(pl.len().alias("n"), pl.col("balance_cents").sum().alias("bal"))
        )
        insert_rows(
            connection, t.roll_rates,
            ("as_of", "from_bucket", "to_bucket", "accounts", "balance_cents"),
            ((as_of, b, a, n, bal) for b, a, n, bal in roll.iter_rows()),
        )
        by_bucket = aged.group_by("bucket").agg(
            pl.len().alias("n"), pl.col("balance_cents").sum().alias("bal")
        )
        counts = {b: (n, bal) for b, n, bal in by_bucket.iter_rows()}
        total_balance = int(aged["balance_cents"].sum() or 0)
        connection.execute(
            t.aging_runs.insert().values(
                as_of=as_of, ran_at=now, ladder=",".join(
                    f"{b.name}:{b.low}+" if b.high is None else f"{b.name}:{b.low}-{b.high}"
                    for b in ladder.buckets),
                previous_as_of=previous_as_of, accounts=aged.height, balance_cents=total_balance,
            )
        )
    roll_counts: dict[str, dict[str, int]] = {}
    for before, after, n, _bal in roll.iter_rows():
        roll_counts.setdefault(before, {})[after] = n
    return RunReport(
        as_of=as_of,
        previous_as_of=previous_as_of,
        accounts=aged.height,
        balance_cents=total_balance,
        buckets=[BucketLine(b, *counts.get(b, (0, 0))) for b in ladder.names],
        transitions=moved.height,
        roll_counts=roll_counts,
        rates=roll_rates_from_counts(roll_counts, ladder),
    )
