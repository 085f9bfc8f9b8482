"""Who may be contacted today under a strategy: holds by flag, open promises, service-only
accounts (pure, polars)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from arrears.planning.frames import Portfolio
from arrears.planning.strategy import Strategy

COLLECTABLE = ["open", "charged_off"]


@dataclass(frozen=True)
class Eligibility:
    collect: pl.DataFrame  # accounts open for collection, with segment and treatment columns
    service: pl.DataFrame  # accounts that may only get a service message today
    held: int


def open_promises(portfolio: Portfolio, grace_days: int) -> pl.DataFrame:
    """Accounts with a promise whose date + grace is today or later and not yet paid in full."""
    as_of = portfolio.as_of
    promises = portfolio.contacts.filter(
        pl.col("promise_date").is_not_null() & pl.col("promise_cents").is_not_null()
        & ((pl.col("promise_date") + pl.duration(days=grace_days)) >= pl.lit(as_of))
        & (pl.col("at").dt.date() <= as_of)
    ).group_by("account_id").agg(pl.col("at").min().alias("since"), pl.col("promise_cents").max().alias("promised"))
    paid = (portfolio.payments.filter(~pl.col("reversed"))
            .join(promises, on="account_id").filter(pl.col("paid_at") >= pl.col("since"))
            .group_by("account_id").agg(pl.col("amount_cents").sum().alias("paid")))
    return (promises.join(paid, on="account_id", how="left")
            .filter(pl.col("paid").fill_null(0) < pl.col("promised")).select("account_id"))


def eligibility(portfolio: Portfolio, accounts: pl.DataFrame, strategy: Strategy) -> Eligibility:
    """``accounts``: this strategy's accounts with segment columns. Applies holds."""
    base = accounts.filter(pl.col("status").is_in(COLLECTABLE) & (pl.col("past_due_cents") > 0))
    hold = pl.col("flags").list.set_intersection(strategy.holds.flags).list.len() > 0
    service_only = pl.col("flags").list.set_intersection(strategy.holds.service_only_flags).list.len() > 0
    promised = open_promises(portfolio, strategy.holds.promise_grace_days)
    held = base.filter(hold).height
    rest = base.filter(~hold)
    service = rest.filter(service_only)
    collect = rest.filter(~service_only).join(promised, on="account_id", how="anti")
    held += rest.height - service.height - collect.height
    due_soon = (pl.col("due_date") - pl.lit(portfolio.as_of)).dt.total_days().is_between(
        0, strategy.holds.service_days_before_due)
    return Eligibility(collect, service.filter(due_soon), held)
