"""Contact models learnt from the contact history (pure: frames in, frames out).

Right-party contact (RPC) by local hour, per customer, with empirical-Bayes shrinkage:
    p(c, h) = (rpc_k(c, h) + K x level(c) x p_seg(s, h)) / (n_k(c, h) + K) x kind_factor
- p_pop(h): the population's RPC rate at local hour h (calls, with a Beta(1, 3) prior);
- p_seg(s, h): the segment's rate, shrunk towards p_pop with M pseudo-calls per hour;
- level(c) = (rpc(c) + A) / (E(c) + A), E(c) = sum of p_seg over the customer's calls: how
  much more (or less) reachable the customer is than the segment, shrunk towards 1;
- rpc_k, n_k: the customer's own RPCs and calls at h, counting the neighbouring hours at
  half weight (habits spill over), so a thin history moves the estimate little (the model
  keeps the counts per customer and hour; the spread is read off a dense array when asked);
- kind_factor: mobile / home / work RPC relative to all calls.
Number validity: a number that any dial in the history found not_in_service or wrong_number (or
whose message bounced or failed) is dead for calls and messages alike, unless a later contact on
it reached the debtor (the number works after all). Message response: a delivered SMS or e-mail followed by
a payment or an inbound contact within 3 days, per customer, shrunk towards the channel's rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.planning.frames import Portfolio
from arrears.planning.local_time import local_hour

RPC_OUTCOMES = ["conversation", "refused", "dispute"]
DEAD_OUTCOMES = ["not_in_service", "wrong_number", "bounced", "failed"]
REACHED_OUTCOMES = ["conversation", "refused", "dispute"]  # the debtor answered on that number
K_HOUR, M_SEGMENT, A_LEVEL, K_MESSAGE = 8.0, 30.0, 2.0, 5.0
RESPONSE_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class ContactModel:
    population: pl.DataFrame  # hour, p_pop
    segment: pl.DataFrame  # segment, hour, p_seg
    level: pl.DataFrame  # customer_id, level
    customer_calls: pl.DataFrame  # customer_id, hour, r (RPCs), n (calls): own counts, not spread
    kind_factor: pl.DataFrame  # kind, kind_factor
    response: pl.DataFrame  # customer_id, channel, p_response
    response_population: pl.DataFrame  # channel, p_response_pop
    dead_points: pl.DataFrame  # contact_point_id
    message_minded: pl.DataFrame  # customer_id: answer messages more than calls


def outbound_calls(portfolio: Portfolio, segments: pl.DataFrame) -> pl.DataFrame:
    """Outbound calls with local hour, RPC (0/1), the customer's segment and number kind."""
    zones = portfolio.customers["zone"].unique().to_list()
    seg = customer_segments(portfolio, segments)
    return (
        portfolio.contacts.select("customer_id", "contact_point_id", "channel", "direction", "at", "outcome", "party")
        .filter((pl.col("channel") == "call") & (pl.col("direction") == "outbound") & pl.col("at").is_not_null())
        .join(portfolio.customers.select("customer_id", "zone"), on="customer_id", how="left")
        .with_columns(pl.col("zone").fill_null(DEFAULT_ZONE))
        .with_columns(local_hour("at", "zone", zones).cast(pl.Int8).alias("hour"),
                      (pl.col("outcome").is_in(RPC_OUTCOMES) & pl.col("party").fill_null("debtor")
                       .is_in(["debtor", "unknown"])).cast(pl.Float64).alias("rpc"))
        .join(seg, on="customer_id", how="left")
        .join(portfolio.contact_points.select("contact_point_id", "kind"), on="contact_point_id", how="left")
        .with_columns(pl.col("segment").fill_null("unknown"), pl.col("kind").fill_null("mobile"))
        .select("customer_id", "contact_point_id", "kind", "segment", "at", "hour", "rpc")
    )


def customer_segments(portfolio: Portfolio, segments: pl.DataFrame) -> pl.DataFrame:
    return (portfolio.accounts.select("account_id", "customer_id")
            .join(segments.select("account_id", "segment"), on="account_id")
            .group_by("customer_id").agg(pl.col("segment").sort().first()))


def _population(calls: pl.DataFrame) -> pl.DataFrame:
    hours = pl.DataFrame({"hour": pl.Series(range(24), dtype=pl.Int8)})
    counts = calls.group_by("hour").agg(pl.col("rpc").sum().alias("r"), pl.len().alias("n"))
    overall = (calls["rpc"].sum() + 1) / (calls.height + 4)
    return hours.join(counts, on="hour", how="left").with_columns(
        ((pl.col("r").fill_null(0) + 4 * overall) / (pl.col("n").fill_null(0) + 4)).alias("p_pop")
    ).select("hour", "p_pop")


def _segment(calls: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    names = ["able_willing", "able_unwilling", "willing_unable", "unable_unwilling", "unknown"]
    grid = pl.DataFrame({"segment": names}).join(population, how="cross")
    counts = calls.group_by("segment", "hour").agg(pl.col("rpc").sum().alias("r"), pl.len().alias("n"))
    return grid.join(counts, on=["segment", "hour"], how="left").with_columns(
        ((pl.col("r").fill_null(0) + M_SEGMENT * pl.col("p_pop")) / (pl.col("n").fill_null(0) + M_SEGMENT))
        .alias("p_seg")
    ).select("segment", "hour", "p_seg")


def _customer_calls(calls: pl.DataFrame) -> pl.DataFrame:
    """The customer's own RPCs (r) and calls (n) at each local hour."""
    return calls.group_by("customer_id", "hour").agg(pl.col("rpc").sum().alias("r"),
                                                     pl.len().cast(pl.Float64).alias("n"))


HOUR_SLOTS = 26  # a customer's hours 0..23 at slots 1..24, with an empty slot either side


def with_own_history(counts: pl.DataFrame, grid: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Adds rpc_k and n_k to rows (``ck``, hour) from ``counts`` (``ContactModel.customer_calls``),
    where ``people`` maps each integer key ``ck`` (0 .. people.height - 1) to customer_id: the
    customer's calls at the hour (weight 1) and at the neighbouring hours (weight 0.5). The
    counts are laid out in a dense array, HOUR_SLOTS per customer, and each row reads its slot
    and the two beside it (sequential reads when the grid is sorted by ``ck``): no join of the
    grid (millions of rows) on the customer. Sums of halves of whole numbers are exact, so the
    order of the additions does not matter."""
    own = people.select("ck", "customer_id").join(counts, on="customer_id").select(
        _slot(pl.col("ck"), pl.col("hour")).alias("slot"), "r", "n")
    at = own["slot"].to_numpy()
    slot = grid.select(_slot(pl.col("ck"), pl.col("hour")))["ck"].to_numpy()

    def spread(column: str) -> pl.Series:
        dense = np.zeros(people.height * HOUR_SLOTS)
        dense[at] = own[column].to_numpy()
        return pl.Series(dense[slot] + 0.5 * (dense[slot - 1] + dense[slot + 1]))

    return grid.with_columns(spread("r").alias("rpc_k"), spread("n").alias("n_k"))


def _slot(ck: pl.Expr, hour: pl.Expr) -> pl.Expr:
    return ck.cast(pl.Int64) * HOUR_SLOTS + hour.cast(pl.Int64) + 1


def _dead_points(portfolio: Portfolio) -> pl.DataFrame:
    """Every point with a dead outcome in the history and no right-party contact after the last one."""
    history = portfolio.contacts.select("contact_point_id", "direction", "outcome", "at").filter(
        pl.col("contact_point_id").is_not_null())
    died = (history.filter((pl.col("direction") == "outbound") & pl.col("outcome").is_in(DEAD_OUTCOMES))
            .group_by("contact_point_id").agg(pl.col("at").max().alias("died")))
    revived = (history.filter(pl.col("outcome").is_in(REACHED_OUTCOMES))
               .group_by("contact_point_id").agg(pl.col("at").max().alias("reached")))
    return (died.join(revived, on="contact_point_id", how="left")
            .filter(pl.col("reached").is_null() | (pl.col("reached") <= pl.col("died")))
            .select("contact_point_id"))


def _responses(portfolio: Portfolio) -> tuple[pl.DataFrame, pl.DataFrame]:
    messages = portfolio.contacts.select("account_id", "customer_id", "channel", "direction", "outcome", "at").filter(
        pl.col("channel").is_in(["sms", "email"]) & (pl.col("direction") == "outbound")
        & (pl.col("outcome") == "delivered") & pl.col("at").is_not_null())
    signals = pl.concat([
        portfolio.payments.filter(~pl.col("reversed")).select("account_id", pl.col("paid_at").alias("t")),
        portfolio.contacts.filter(pl.col("direction") == "inbound").select("account_id", pl.col("at").alias("t")),
    ]).drop_nulls().sort("t")
    answered = messages.sort("at").join_asof(signals, left_on="at", right_on="t", by="account_id",
                                             strategy="forward", tolerance=RESPONSE_WINDOW,
                                             check_sortedness=False)
    answered = answered.with_columns(pl.col("t").is_not_null().cast(pl.Float64).alias("resp"))
    pop = answered.group_by("channel").agg(((pl.col("resp").sum() + 1) / (pl.len() + 10)).alias("p_response_pop"))
    pop = pl.DataFrame({"channel": ["sms", "email"]}).join(pop, on="channel", how="left").with_columns(
        pl.col("p_response_pop").fill_null(0.1))
    per = answered.group_by("customer_id", "channel").agg(pl.col("resp").sum().alias("r"), pl.len().alias("n"))
    per = per.join(pop, on="channel").with_columns(
        ((pl.col("r") + K_MESSAGE * pl.col("p_response_pop")) / (pl.col("n") + K_MESSAGE)).alias("p_response")
    ).select("customer_id", "channel", "p_response")
    return per, pop


def fit(portfolio: Portfolio, segments: pl.DataFrame) -> ContactModel:
    calls = outbound_calls(portfolio, segments)
    population = _population(calls)
    segment = _segment(calls, population)
    with_prior = calls.join(segment, on=["segment", "hour"], how="left")
    level = with_prior.group_by("customer_id").agg(
        ((pl.col("rpc").sum() + A_LEVEL) / (pl.col("p_seg").sum() + A_LEVEL)).alias("level"))
    overall = max(_mean(calls["rpc"]), 1e-3) if calls.height else 0.3
    kind = calls.group_by("kind").agg(((pl.col("rpc").sum() + 10 * overall) / (pl.len() + 10) / overall)
                                      .alias("kind_factor"))
    kind = pl.DataFrame({"kind": ["mobile", "home", "work"]}).join(kind, on="kind", how="left").with_columns(
        pl.col("kind_factor").fill_null(pl.when(pl.col("kind") == "mobile").then(1.0).otherwise(0.6)))
    response, response_population = _responses(portfolio)
    return ContactModel(population, segment, level, _customer_calls(calls), kind, response, response_population,
                        _dead_points(portfolio), message_minded(calls, response, response_population, overall))


def message_minded(calls: pl.DataFrame, response: pl.DataFrame, response_population: pl.DataFrame,
                   overall: float) -> pl.DataFrame:
    """Customers who answer messages more than calls. The two rates measure different things (a
    reply or payment within days of a message, a right-party answer to a call), so each is taken
    relative to the population's on its channel: the customer's best message lift is above 1 and
    above their call lift (a customer never called has a call lift of 1)."""
    answered = calls.group_by("customer_id").agg(
        ((pl.col("rpc").sum() + K_MESSAGE * overall) / (pl.len() + K_MESSAGE) / max(overall, 1e-3)).alias("call_lift"))
    best = (response.join(response_population, on="channel", how="left")
            .group_by("customer_id").agg((pl.col("p_response") / pl.col("p_response_pop")).max().alias("message_lift")))
    return (best.join(answered, on="customer_id", how="left")
            .filter((pl.col("message_lift") > 1) & (pl.col("message_lift") > pl.col("call_lift").fill_null(1.0)))
            .select("customer_id").sort("customer_id"))


def rpc_probability(model: ContactModel, frame: pl.DataFrame, use_hours: bool = True) -> pl.DataFrame:
    """Adds ``p_rpc`` to rows with customer_id, segment, hour (local, Int8) and kind.
    Without the hour model every hour gets the population's average rate."""
    if not use_hours:
        return frame.with_columns(pl.lit(flat_rpc(model)).alias("p_rpc"))
    frame = frame.cast({"customer_id": model.level.schema["customer_id"]})
    people = frame.select("customer_id").unique(maintain_order=True).with_row_index("ck")
    keyed = frame.join(people, on="customer_id", how="left", maintain_order="left")
    out = (with_own_history(model.customer_calls, keyed, people).drop("ck")
           .join(model.segment, on=["segment", "hour"], how="left")
           .join(model.level, on="customer_id", how="left", maintain_order="left"))
    kind = pl.lit(1.0)
    if "kind" in frame.columns:
        out = out.join(model.kind_factor, on="kind", how="left")
        kind = pl.col("kind_factor").fill_null(0.6)
    drop = [c for c in ("p_seg", "level", "rpc_k", "n_k", "kind_factor") if c in out.columns]
    return out.with_columns(rpc_expression(kind).alias("p_rpc")).drop(drop)


def flat_rpc(model: ContactModel) -> float:
    return _mean(model.population["p_pop"], 0.3)


def _mean(column: pl.Series, empty: float = 0.0) -> float:
    """The mean of a numeric column as a float (``empty`` when it has no values)."""
    mean = column.mean()
    return float(mean) if isinstance(mean, int | float) else empty


def rpc_expression(kind: pl.Expr) -> pl.Expr:
    """p(c, h) from the columns rpc_k, n_k (customer at hour), level (customer), p_seg (segment at hour)."""
    p = ((pl.col("rpc_k").fill_null(0) + K_HOUR * pl.col("level").fill_null(1.0) * pl.col("p_seg").fill_null(0.2))
         / (pl.col("n_k").fill_null(0) + K_HOUR)) * kind
    return p.clip(0.005, 0.98)


def rpc_by_hour(model: ContactModel, grid: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Adds ``p_rpc`` (kind factor 1) to a large grid of (``ck``, ``sk``, hour) rows, where
    ``people`` maps each integer customer key ``ck`` to customer_id and ``sk`` to segment:
    the same values as ``rpc_probability``, with the string keys joined once per customer."""
    segment = model.segment.join(people.select("segment", "sk").unique(), on="segment").select("sk", "hour", "p_seg")
    level = people.select("ck", "customer_id").join(model.level, on="customer_id").select("ck", "level")
    out = with_own_history(model.customer_calls, grid, people).join(segment, on=["sk", "hour"], how="left").join(
        level, on="ck", how="left")
    return out.with_columns(rpc_expression(pl.lit(1.0)).alias("p_rpc")).drop("p_seg", "level", "rpc_k", "n_k")


def response_probability(model: ContactModel, frame: pl.DataFrame) -> pl.DataFrame:
    """Adds ``p_response`` to rows with customer_id and channel (sms/email; others get 0.1)."""
    return (frame.join(model.response, on=["customer_id", "channel"], how="left")
            .join(model.response_population, on="channel", how="left")
            .with_columns(pl.coalesce("p_response", "p_response_pop", pl.lit(0.1)).alias("p_response"))
            .drop("p_response_pop"))
