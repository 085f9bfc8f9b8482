"""The aging stage of the nightly run: age every account, record bucket changes, compute roll rates.

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

from arrears.domain.aging import AgingLadder, PausePeriod, days_past_due, roll_rates_from_counts, transition
from arrears.services.nightly.ports import AgingStore, NightlyUnitOfWork

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


def age_portfolio(
    uow: NightlyUnitOfWork,
    as_of: date,
    ladder: AgingLadder,
    now: datetime,
    stage: Callable[[str], None] = lambda _s: None,
) -> RunReport:
    """The aging stage of the nightly run, in one unit of work: the date's aging, bucket
    changes, roll rates and run row replace what the date had, all or nothing."""
    with uow:
        report = _age(uow.aging, as_of, ladder, now, stage)
        uow.commit()
    return report


def _age(store: AgingStore, as_of: date, ladder: AgingLadder, now: datetime,
         stage: Callable[[str], None]) -> RunReport:
    stage("read accounts")
    accounts = store.accounts()
    pauses = store.pauses(as_of)
    stage("age accounts")
    aged = age_accounts(accounts, as_of, ladder, pauses)
    previous_as_of, previous = store.previous(as_of)
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
    store.clear(as_of)
    store.add_aging(aged.select(
        pl.lit(as_of).alias("as_of"), "account_id", "dpd", "bucket", "balance_cents", "past_due_cents",
        "min_payment_cents"))
    store.add_transitions(
        ((aid, as_of, before, after, direction) for aid, before, after, direction in moved.select(
            "account_id", "prev_bucket", "bucket", "direction").iter_rows()),
    )
    stage("roll rates")
    roll = (
        joined.filter(pl.lit(previous_as_of is not None))
        .group_by("prev_bucket", "bucket")
        .agg(pl.len().alias("n"), pl.col("balance_cents").sum().alias("bal"))
    )
    store.add_roll_rates(
        ((as_of, b, a, n, bal) for b, a, n, bal in roll.iter_rows()),
    )
    by_bucket = aged.group_by("bucket").agg(
        pl.len().alias("n"), pl.col("balance_cents").sum().alias("bal")
    )
    counts = {b: (n, bal) for b, n, bal in by_bucket.iter_rows()}
    total_balance = int(aged["balance_cents"].sum() or 0)
    store.add_run(dict(
        as_of=as_of, ran_at=now, ladder=",".join(
            f"{b.name}:{b.low}+" if b.high is None else f"{b.name}:{b.low}-{b.high}"
            for b in ladder.buckets),
        previous_as_of=previous_as_of, accounts=aged.height, balance_cents=total_balance,
    ))
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
