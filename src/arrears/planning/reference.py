"""The simple reference planner: a second baseline for the simulator, not a strategy.

It reads only what the real planner reads (the portfolio frames and their contact history) and
does what a careful operation without models would do:
- works every open account with money past due, except those flagged dispute, cease, deceased,
  bankruptcy, attorney, fraud or on an installment plan, one account per customer (the largest
  past-due amount), and rests a customer for ``REST_DAYS`` days after a right-party conversation;
- never uses a number or address listed invalid or do-not-contact, or that any earlier attempt
  found dead (``contact_model.DEAD_OUTCOMES``);
- answer rates by local hour from the history: the population's rate per hour, and the
  customer's own calls at that hour counted against ``PRIOR`` pseudo-calls at it;
- one call per customer per day, on the debtor's own phone (mobile first), at the best hour of
  that rate that still has capacity, customers taken by expected money (best rate x past due);
- an SMS (mobile) and then an e-mail to the rest, largest past due first, within each channel's
  capacity, at 10:00 local;
- offer ``none``; every attempt in time order through the compliance gate with the history and
  the attempts before it (a denied attempt is dropped, its capacity not reused).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl

from arrears.planning.contact_model import DEAD_OUTCOMES, RPC_OUTCOMES
from arrears.planning.frames import Capacity, Portfolio
from arrears.planning.gate_requests import (
    Gate,
    history_by_customer,
    planned_entry,
    recent_history,
    request_for,
)
from arrears.planning.lawful_hours import start_hours
from arrears.planning.local_time import local_hour, slot_table

HOLD = ["dispute", "cease", "deceased", "bankruptcy", "attorney", "fraud", "installment_plan"]
REST_DAYS = 3
PRIOR = 4.0
PHONE_ORDER = {"mobile": 0, "home": 1, "work": 2}
MESSAGE_HOUR = 10
MESSAGE_KINDS = {"sms": ["mobile"], "email": ["email"]}
TEMPLATES = {"call": "reminder_due", "sms": "reminder_due", "email": "reminder_due"}
COLUMNS = ["account_id", "customer_id", "channel", "contact_point_id", "at_utc", "offer", "purpose"]


def reference_plan(portfolio: Portfolio, capacity: Capacity, gate: Gate) -> pl.DataFrame:
    """The day's attempts (``COLUMNS``), each allowed by the gate."""
    accounts = workable(portfolio)
    points = usable_points(portfolio)
    slots = slot_table(portfolio.as_of, accounts["zone"].unique().to_list() or ["Asia/Shanghai"], range(24),
                       capacity.zone)
    calls = _calls(accounts, points, hour_rates(portfolio), slots, capacity)
    rest = accounts.join(calls.select("customer_id"), on="customer_id", how="anti").sort(
        ["past_due_cents", "account_id"], descending=[True, False])
    sms = _messages(rest, points, "sms", capacity, slots)
    rest = rest.join(sms.select("customer_id"), on="customer_id", how="anti")
    email = _messages(rest, points, "email", capacity, slots)
    attempts = pl.concat([calls, sms, email], how="vertical_relaxed").with_columns(
        pl.lit("none").alias("offer"), pl.lit("collection").alias("purpose"))
    return _gated(attempts, portfolio, gate).select(COLUMNS)


def workable(portfolio: Portfolio) -> pl.DataFrame:
    """One account per customer that may be worked today, with the customer's zone, packs and language."""
    since = portfolio.as_of - timedelta(days=REST_DAYS)
    resting = portfolio.contacts.filter(
        pl.col("outcome").is_in(RPC_OUTCOMES) & (pl.col("at").dt.date() >= since)).select("customer_id").unique()
    return (portfolio.accounts
            .filter(pl.col("status").is_in(["open", "charged_off"]) & (pl.col("past_due_cents") > 0)
                    & (pl.col("flags").list.set_intersection(HOLD).list.len() == 0))
            .join(resting, on="customer_id", how="anti")
            .sort(["customer_id", "past_due_cents", "account_id"], descending=[False, True, False])
            .unique("customer_id", keep="first", maintain_order=True)
            .join(portfolio.customers.select("customer_id", "zone", "jurisdiction", "language"), on="customer_id")
            .with_columns(pl.col("zone").fill_null("Asia/Shanghai"), pl.col("jurisdiction").fill_null("CN"))
            .select("account_id", "customer_id", "past_due_cents", "flags", "agency_id", "zone", "jurisdiction",
                    "language"))


def usable_points(portfolio: Portfolio) -> pl.DataFrame:
    """The debtors' own points not listed invalid or do-not-contact and never found dead."""
    dead = portfolio.contacts.filter(pl.col("outcome").is_in(DEAD_OUTCOMES)).select("contact_point_id").unique()
    return (portfolio.contact_points
            .filter((pl.col("owner") == "debtor") & ~pl.col("do_not_contact") & (pl.col("status") != "invalid"))
            .join(dead, on="contact_point_id", how="anti")
            .select("contact_point_id", "customer_id", "kind"))


def hour_rates(portfolio: Portfolio) -> pl.DataFrame:
    """customer_id, hour, rate: right-party answers of the customer's calls at that local hour,
    with ``PRIOR`` pseudo-calls at the population's rate for that hour; customer_id null = the
    population's own rate (for a customer never called at that hour)."""
    zones = portfolio.customers["zone"].fill_null("Asia/Shanghai").unique().to_list()
    own_phones = portfolio.contact_points.filter(pl.col("owner") == "debtor").select("contact_point_id")
    calls = (portfolio.contacts.filter((pl.col("channel") == "call") & (pl.col("direction") == "outbound")
                                       & pl.col("at").is_not_null())
             .join(own_phones, on="contact_point_id", how="semi")
             .join(portfolio.customers.select("customer_id", "zone"), on="customer_id")
             .select("customer_id", local_hour("at", "zone", zones).alias("hour"),
                     pl.col("outcome").is_in(RPC_OUTCOMES).cast(pl.Float64).alias("rpc")))
    overall = (float(calls["rpc"].sum()) + 1) / (calls.height + 4)
    population = (pl.DataFrame({"hour": pl.Series(range(24), dtype=pl.Int8)})
                  .join(calls.group_by("hour").agg(pl.col("rpc").sum().alias("r"), pl.len().alias("n")),
                        on="hour", how="left")
                  .select("hour", ((pl.col("r").fill_null(0) + PRIOR * overall) / (pl.col("n").fill_null(0) + PRIOR))
                          .alias("pop")))
    own = (calls.group_by("customer_id", "hour").agg(pl.col("rpc").sum().alias("r"), pl.len().alias("n"))
           .join(population, on="hour")
           .select("customer_id", "hour",
                   ((pl.col("r") + PRIOR * pl.col("pop")) / (pl.col("n") + PRIOR)).alias("rate")))
    return pl.concat([own, population.select(pl.lit(None, dtype=pl.Utf8).alias("customer_id"), "hour",
                                             pl.col("pop").alias("rate"))])


def _calls(accounts: pl.DataFrame, points: pl.DataFrame, rates: pl.DataFrame, slots: pl.DataFrame,
           capacity: Capacity) -> pl.DataFrame:
    """One call per customer at the best lawful hour left, customers by expected money."""
    phone = (points.filter(pl.col("kind").is_in(list(PHONE_ORDER)))
             .sort(pl.col("kind").replace_strict(PHONE_ORDER, return_dtype=pl.Int8), "contact_point_id")
             .unique("customer_id", keep="first", maintain_order=True))
    people = accounts.join(phone.select("customer_id", "contact_point_id"), on="customer_id")
    grid = _lawful_hours(people, slots)
    population = rates.filter(pl.col("customer_id").is_null()).select("hour", pl.col("rate").alias("pop"))
    grid = (grid.join(population, on="hour", how="left")
            .join(rates.filter(pl.col("customer_id").is_not_null()), on=["customer_id", "hour"], how="left")
            .with_columns(pl.coalesce("rate", "pop").alias("rate")))
    grid = grid.with_columns((pl.col("rate").max().over("customer_id") * pl.col("past_due_cents")).alias("worth"))
    grid = grid.sort(["worth", "customer_id", "rate", "hour"], descending=[True, False, True, False])
    left = {h: capacity.per_hour("call", h) for h in range(24)}
    day_left = capacity.daily.get("call")
    taken: dict[str, tuple[Any, ...]] = {}
    for row in grid.select("customer_id", "account_id", "contact_point_id", "start_utc", "op_hour").iter_rows():
        customer, op_hour = row[0], row[4]
        if customer in taken or (day_left is not None and len(taken) >= day_left):
            continue
        room = left[op_hour]
        if room is None or room > 0:
            left[op_hour] = None if room is None else room - 1
            taken[customer] = row
    return _spread(pl.DataFrame(list(taken.values()), orient="row", schema={
        "customer_id": pl.Utf8, "account_id": pl.Utf8, "contact_point_id": pl.Utf8,
        "start_utc": pl.Datetime("us", "UTC"), "op_hour": pl.Int8}), "call")


def _lawful_hours(people: pl.DataFrame, slots: pl.DataFrame) -> pl.DataFrame:
    """Each customer's local start hours that their packs allow (and Beijing's for CN)."""
    bounds = {j: start_hours(j) for j in people["jurisdiction"].unique().to_list()}
    beijing = start_hours("CN")
    return (people.join(slots, on="zone")
            .with_columns(pl.col("jurisdiction").replace_strict({j: b[0] for j, b in bounds.items()},
                                                                return_dtype=pl.Int8).alias("first"),
                          pl.col("jurisdiction").replace_strict({j: b[1] for j, b in bounds.items()},
                                                                return_dtype=pl.Int8).alias("last"))
            .filter(pl.col("hour").is_between(pl.col("first"), pl.col("last"))
                    & (~pl.col("jurisdiction").str.contains("CN")
                       | pl.col("beijing_hour").is_between(beijing[0], beijing[1])))
            .drop("first", "last"))


def _messages(rest: pl.DataFrame, points: pl.DataFrame, channel: str, capacity: Capacity,
              slots: pl.DataFrame) -> pl.DataFrame:
    """A message to each customer in ``rest`` (in its order) with a usable point, up to the capacity."""
    limit = capacity.daily.get(channel)
    if limit is None:
        limit = sum(capacity.per_hour(channel, h) or 0 for h in range(24))
    point = (points.filter(pl.col("kind").is_in(MESSAGE_KINDS[channel])).sort("contact_point_id")
             .unique("customer_id", keep="first", maintain_order=True))
    chosen = rest.join(point.select("customer_id", "contact_point_id"), on="customer_id", maintain_order="left")
    chosen = chosen.join(slots.filter(pl.col("hour") == MESSAGE_HOUR), on="zone").head(limit)
    return _spread(chosen.select("customer_id", "account_id", "contact_point_id", "start_utc", "op_hour"), channel)


def _spread(frame: pl.DataFrame, channel: str) -> pl.DataFrame:
    """Instants from HH:01 to HH:59 across each operation hour's attempts."""
    size = pl.len().over("op_hour")
    position = pl.int_range(pl.len()).over("op_hour")
    seconds = (60 + position * 3480 // size).clip(60, 3540)
    return frame.with_columns((pl.col("start_utc") + pl.duration(seconds=seconds)).alias("at_utc"),
                              pl.lit(channel).alias("channel")).drop("start_utc", "op_hour")


def _gated(attempts: pl.DataFrame, portfolio: Portfolio, gate: Gate) -> pl.DataFrame:
    """The attempts the gate allows, judged in time order given the history and the allowed ones before."""
    if attempts.is_empty():
        return attempts
    rows = (attempts.join(portfolio.accounts.select("account_id", "flags", "agency_id"), on="account_id")
            .join(portfolio.customers.select("customer_id", "zone", "jurisdiction", "language"), on="customer_id")
            .join(portfolio.contact_points.select("contact_point_id", "kind", pl.col("value").alias("address"),
                                                  "consent"), on="contact_point_id")
            .with_columns(pl.col("at_utc").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").alias("at"),
                          pl.col("channel").replace_strict(TEMPLATES, default=None).alias("template"))
            .sort("at_utc", "account_id"))
    histories = history_by_customer(recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of),
                                    rows["customer_id"].unique())
    allowed = []
    for row in rows.to_dicts():
        row["packs"] = [p for p in (row["jurisdiction"] or "CN").split(";") if p]
        history = histories.setdefault(row["customer_id"], [])
        if gate(request_for(row, history, {}))["decision"] == "allow":
            allowed.append(row["contact_point_id"])
            history.append(planned_entry(row))
    return rows.filter(pl.col("contact_point_id").is_in(allowed))
