"""Who can pay and who means to: the ``Segmenter`` seam between scoring and planning.

A segmenter takes the planning portfolio and returns one row per account:
``account_id, ability, willingness, propensity, segment`` (segment one of able_willing,
able_unwilling, willing_unable, unable_unwilling). ``history_segmenter`` is the documented
fallback used when scoring's own model is not installed: a few vectorised signals from the
portfolio, each in [0, 1], 0.5 when unknown.

- ability = 0.5 x (1 - min(dpd/180, 1)) + 0.3 x share of the past-due amount paid in the
  last 60 days + 0.2 x (no hardship flag)
- willingness = 0.4 x promises paid (paid in 60 days / promised in 60 days, capped at 1)
  + 0.3 x right-party rate (shrunk to 0.3 with 3 pseudo-calls, /0.5, capped)
  + 0.3 x (1 - refusals/2, floored at 0)
- propensity = sqrt(ability x willingness); segments split both at 0.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from arrears.planning.frames import Portfolio

Segmenter = Callable[[Portfolio], pl.DataFrame]
SEGMENT_COLUMNS = ["account_id", "ability", "willingness", "propensity", "segment"]
RPC_OUTCOMES = ["conversation", "refused", "dispute"]
CONTACT_COLUMNS = ["account_id", "channel", "outcome", "promise_cents", "at", "direction"]  # what the fallback reads
PAYMENT_COLUMNS = ["account_id", "paid_at", "amount_cents", "reversed"]


def segment_expr(threshold: float = 0.5) -> pl.Expr:
    able = pl.col("ability") >= threshold
    willing = pl.col("willingness") >= threshold
    return (
        pl.when(able & willing).then(pl.lit("able_willing"))
        .when(able).then(pl.lit("able_unwilling"))
        .when(willing).then(pl.lit("willing_unable"))
        .otherwise(pl.lit("unable_unwilling"))
        .alias("segment")
    )


def history_segmenter(portfolio: Portfolio) -> pl.DataFrame:
    since = portfolio.as_of - timedelta(days=60)
    paid = (
        portfolio.payments.filter(~pl.col("reversed") & (pl.col("paid_at").dt.date() >= since))
        .group_by("account_id").agg(pl.col("amount_cents").sum().alias("paid"))
    )
    outbound = portfolio.contacts.select("account_id", "channel", "outcome", "promise_cents", "at", "direction").filter(
        pl.col("direction") == "outbound")
    talk = outbound.group_by("account_id").agg(
        (pl.col("channel") == "call").sum().alias("calls"),
        ((pl.col("channel") == "call") & pl.col("outcome").is_in(RPC_OUTCOMES)).sum().alias("rpc"),
        (pl.col("outcome") == "refused").sum().alias("refusals"),
        pl.col("promise_cents").filter(pl.col("at").dt.date() >= since).sum().alias("promised"),
    )
    frame = (
        portfolio.accounts.select("account_id", "dpd", "past_due_cents", "flags")
        .join(paid, on="account_id", how="left").join(talk, on="account_id", how="left")
        .with_columns(pl.col("paid", "calls", "rpc", "refusals", "promised").fill_null(0))
    )
    pay_share = (pl.col("paid") / pl.max_horizontal(pl.col("past_due_cents"), pl.lit(1))).clip(0, 1)
    hardship = pl.col("flags").list.contains("hardship").cast(pl.Float64)
    kept = pl.when(pl.col("promised") > 0).then((pl.col("paid") / pl.col("promised")).clip(0, 1)).otherwise(0.5)
    rpc_rate = ((pl.col("rpc") + 0.9) / (pl.col("calls") + 3) / 0.5).clip(0, 1)
    refusing = (1 - pl.col("refusals") / 2).clip(0, 1)
    return frame.with_columns(
        (0.5 * (1 - (pl.col("dpd") / 180).clip(0, 1)) + 0.3 * pay_share + 0.2 * (1 - hardship)).alias("ability"),
        (0.4 * kept + 0.3 * rpc_rate + 0.3 * refusing).alias("willingness"),
    ).with_columns(
        (pl.col("ability") * pl.col("willingness")).sqrt().alias("propensity"),
        segment_expr(),
    ).select(SEGMENT_COLUMNS)


def scores_segmenter(scores: pl.DataFrame) -> Segmenter:
    """Scoring's own answer (the CSV `arrears score` writes) as a segmenter; accounts it does
    not cover fall back to ``history_segmenter``."""
    given = scores.select(
        pl.col("account_id").cast(pl.Utf8),
        *(pl.col(c).cast(pl.Float64) for c in ("ability", "willingness", "propensity")),
        pl.col("segment").cast(pl.Utf8),
    )

    def segmenter(portfolio: Portfolio) -> pl.DataFrame:
        scored = given.cast({"account_id": portfolio.accounts.schema["account_id"]})
        rest = history_segmenter(portfolio).join(scored, on="account_id", how="anti")
        mine = scored.join(portfolio.accounts.select("account_id"), on="account_id", how="semi")
        return pl.concat([mine, rest]).select(SEGMENT_COLUMNS)

    return segmenter


def as_it_stood(portfolio: Portfolio, since: date) -> Portfolio:
    """The portfolio as it stood on ``since``, for learning from what followed it: the contacts and
    payments before that day (the columns ``history_segmenter`` reads); each account's past-due
    amount with the payments since added back, and its days past due less the days since (an
    account current today that paid since, behind then by days not known, gets the median of the
    accounts behind then; one behind for fewer days than that, 0)."""
    days = (portfolio.as_of - since).days
    payments = portfolio.payments
    paid = (payments.filter(~pl.col("reversed") & (pl.col("paid_at").dt.date() >= since))
            .group_by("account_id").agg(pl.col("amount_cents").sum().alias("_paid")))
    accounts = portfolio.accounts.join(paid, on="account_id", how="left").with_columns(pl.col("_paid").fill_null(0))
    behind = accounts.filter(pl.col("dpd") > days)["dpd"]
    median = int(behind.median()) - days if behind.len() else days  # type: ignore[arg-type]
    dpd = (pl.when(pl.col("dpd") > days).then(pl.col("dpd") - days)
           .when((pl.col("dpd") == 0) & (pl.col("_paid") > 0)).then(pl.lit(median)).otherwise(pl.lit(0)))
    accounts = accounts.with_columns(dpd.cast(accounts.schema["dpd"]).alias("dpd"),
                                     (pl.col("past_due_cents") + pl.col("_paid")).alias("past_due_cents")).drop("_paid")
    contacts = portfolio.contacts.select(*CONTACT_COLUMNS).filter(pl.col("at").dt.date() < since)
    return replace(portfolio, as_of=since, accounts=accounts, contacts=contacts,
                   payments=payments.select(*PAYMENT_COLUMNS).filter(pl.col("paid_at").dt.date() < since))


def segments_then(portfolio: Portfolio, since: date) -> pl.DataFrame:
    """The history fallback's segments as they stood on ``since`` (``as_it_stood``)."""
    return history_segmenter(as_it_stood(portfolio, since))
