"""Candidate attempts for one strategy: who may be contacted today, on which channel,
number and hour, with which offer, and what it is worth (pure, vectorised with polars).

value = propensity x past-due amount x offer effect x reach x persuasion(channel)
        [x 1.3 on the customer's preferred channel]
net   = value - cost(channel) - disturbance(channel) x (1 + outbound attempts in 7 days)
reach = P(right-party contact | number, local hour) for calls; for messages, delivery x the
customer's response rate relative to the channel's (0.3 .. 3); for a location call to a third
party, P(the party answers at that hour) x the strategy's ``location.relay``.

The expected value reads: P(reaching the debtor at that hour) x P(promise and keep | reached)
(propensity x offer effect, a judgement score) x the amount, minus the contact's cost and the
expected cost of the complaint or fatigue it may cause (disturbance, growing with the contacts
of the last 7 days; the fill adds the day's earlier planned contacts).

Calls are offered at each number's best ``CALL_OPTIONS`` hours first; ``Spare`` keeps what is
needed to offer the other hours later, when the fill leaves capacity in them (``spare_calls``),
and, with ``models.fill``, the calls the cadence would not make today, to accounts not called in
the last ``fill_gap_days`` - 1 days whose customer was not reached in the last ``rest_days`` days
(their value less the fatigue of their recent contacts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from arrears.planning.affordability import choose
from arrears.planning.contact_model import (
    REACHED_OUTCOMES,
    ContactModel,
    flat_rpc,
    response_probability,
    rpc_by_hour,
)
from arrears.planning.eligibility import Eligibility
from arrears.planning.frames import Capacity, Portfolio
from arrears.planning.lawful_hours import start_hours
from arrears.planning.local_time import slot_table
from arrears.planning.response_model import fitted_worth, for_accounts
from arrears.planning.strategy import Strategy
from arrears.planning.treatments import LOCATION, LOCATION_LABEL, SERVICE, treatment_table, treatments

__all__ = ["LOCATION", "LOCATION_LABEL", "SERVICE", "Candidates", "Spare", "candidates", "spare_calls",
           "treatment_table"]

KINDS = {"call": ["mobile", "home", "work"], "sms": ["mobile"], "email": ["email", "employer_email"],
         "letter": ["postal"]}
CALL_OPTIONS = 5  # best hours offered first per (account, number) for calls; the others when capacity is left
PREFERRED_BONUS = 1.3
PHONES = ["mobile", "home", "work"]


def _last_touch(portfolio: Portfolio) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The last day each account was contacted on each channel, and its outbound attempts in the
    last 7 days: attempts on the debtor's own numbers (a call to a third party, to look for a
    lost debtor, neither disturbs the debtor nor sets their cadence)."""
    others = portfolio.contact_points.filter(pl.col("owner") != "debtor").select("contact_point_id")
    out = portfolio.contacts.select("account_id", "channel", "direction", "at", "contact_point_id").filter(
        (pl.col("direction") == "outbound") & pl.col("at").is_not_null()).join(
        others, on="contact_point_id", how="anti")
    last = out.group_by("account_id", "channel").agg(pl.col("at").max().dt.date().alias("last_day"))
    week = out.filter(pl.col("at").dt.date() >= portfolio.as_of - timedelta(days=7)).group_by("account_id").agg(
        pl.len().alias("recent"))
    return last, week


def usable_points(portfolio: Portfolio, model: ContactModel) -> pl.DataFrame:
    """The debtor's own numbers and addresses that are not invalid, dead or do-not-contact."""
    return (portfolio.contact_points.filter((pl.col("owner") == "debtor") & ~pl.col("do_not_contact")
                                            & (pl.col("status") != "invalid"))
            .join(model.dead_points, on="contact_point_id", how="anti")
            .select("contact_point_id", "customer_id", "kind", pl.col("value").alias("address")))


def _hours(strategy: Strategy, channel: str) -> pl.DataFrame:
    return pl.DataFrame({"channel": channel, "hour": pl.Series(list(strategy.hours.of(channel)), dtype=pl.Int8)})


@dataclass(frozen=True)
class Spare:
    """What offering a strategy's calls at more hours needs (``spare_calls``): one row per account
    and usable number with what its options are made of, and the message options worth less
    than ``min_value`` (what the hour summary names as the best remaining)."""

    strategy: Strategy
    strategy_index: int
    calls: pl.DataFrame  # LEAN + CALL_PEOPLE
    model: ContactModel
    slots: pl.DataFrame
    below: pl.DataFrame  # BELOW: message options under min_value
    off_cadence: Callable[[], pl.DataFrame] | None = None  # more LEAN + CALL_PEOPLE rows: calls off cadence


@dataclass(frozen=True)
class Candidates:
    options: pl.DataFrame  # OPTION_COLUMNS
    spare: Spare
    response_factor: float | None = None  # what the response models' rates were scaled by (``for_accounts``)


BELOW = ["account_id", "channel", "op_hour", "net"]


def candidates(portfolio: Portfolio, elig: Eligibility, strategy: Strategy, model: ContactModel, *,
               capacity: Capacity, strategy_index: int, response: pl.DataFrame | None = None) -> Candidates:
    """Every worthwhile (account, channel, number, hour) option, with ``net`` value: calls at
    each number's best ``CALL_OPTIONS`` hours (the others are in ``spare``), messages, and
    location calls to third parties for lost debtors. ``response``: the response models' rates
    (``response_model.respond``) the value takes instead of the judgement, when the strategy uses them."""
    as_of = portfolio.as_of
    fitted, factor = (for_accounts(response, elig.collect, level=strategy.response_level) if response is not None
                      else (None, None))
    channels = [c for c in ("call", "sms", "email", "letter") if c in capacity.channels()]
    treat = treatments(strategy).filter(pl.col("channel").is_in(channels))
    last, week = _last_touch(portfolio)
    steps = treat.select("segment", "afford_key", "dpd_from", "dpd_to", "channel", "treat", "offer_effect", "cadence",
                         "quota")
    afford = ["capacity_cents"] if strategy.affordability else []
    stepped = (elig.collect.select(*ACCOUNT, "dpd", *afford).with_columns(choose(strategy)).drop(afford)
               .join(steps, on=["segment", "afford_key"])
               .filter(pl.col("dpd").is_between(pl.col("dpd_from"), pl.col("dpd_to")))
               .join(last, on=["account_id", "channel"], how="left"))
    due = pl.col("last_day").is_null() | ((pl.lit(as_of) - pl.col("last_day")).dt.total_days() >= pl.col("cadence"))
    cols = [*ACCOUNT, "channel", "treat", "offer_effect", "quota"]
    gap = (pl.lit(as_of) - pl.col("last_day")).dt.total_days() >= strategy.fill_gap_days
    collect = stepped.filter(due)
    early = stepped.filter(~due & (pl.col("channel") == "call") & gap).select(cols)  # kept narrow for later
    service = (elig.service.select(ACCOUNT).join(pl.DataFrame({"channel": ["sms", "email"]}), how="cross")
               .filter(pl.col("channel").is_in(channels))
               .join(last, on=["account_id", "channel"], how="left")
               .filter(pl.col("last_day").is_null()
                       | ((pl.lit(as_of) - pl.col("last_day")).dt.total_days()
                          > strategy.holds.service_days_before_due))
               .with_columns(pl.lit(SERVICE, dtype=pl.Int32).alias("treat"), pl.lit(0.3).alias("offer_effect"),
                             pl.lit(1, dtype=pl.Int32).alias("quota")))
    kinds = pl.DataFrame([(c, k) for c, ks in KINDS.items() for k in ks], schema={"channel": pl.Utf8, "kind": pl.Utf8},
                         orient="row")
    points = usable_points(portfolio, model).drop("address")

    def to_options(frame: pl.DataFrame) -> pl.DataFrame:
        acts = _with_worth(frame.select(cols).join(week, on="account_id", how="left"), strategy, fitted).filter(
            pl.col("quota") > 0)  # per account
        return acts.join(kinds, on="channel").join(points, on=["customer_id", "kind"])  # and channel, then per number

    options = to_options(pl.concat([collect.select(cols), service.select(cols)]))
    del collect, service
    slots = slot_table(as_of, portfolio.customers["zone"].unique().to_list(), range(24), capacity.zone)
    calls, messages = options.filter(pl.col("channel") == "call"), options.filter(pl.col("channel") != "call")
    del options  # the stages below allocate gigabytes at 1M accounts: freed memory is reused
    spare_rows = calls.select(*LEAN, *CALL_PEOPLE)

    def off_cadence() -> pl.DataFrame:  # worked out only when the fill leaves call capacity
        return to_options(_early_calls(portfolio, early, strategy)).select(*LEAN, *CALL_PEOPLE)

    calls = _scored(_call_reach(calls, strategy, model, slots), strategy, strategy_index)
    messages = _scored(_message_reach(messages, strategy, model, slots), strategy, strategy_index, keep_all=True)
    worth = pl.col("net") >= strategy.min_value
    below = messages.filter(~worth).select(BELOW)
    parts = [calls, messages.filter(worth)]
    if strategy.location is not None and "call" in channels:
        from arrears.planning.location import location_options  # it builds on this module's frames

        parts.append(location_options(portfolio, elig, strategy, model, slots, strategy_index=strategy_index,
                                      fitted=fitted))
    return Candidates(pl.concat(parts, how="vertical_relaxed"),
                      Spare(strategy, strategy_index, spare_rows, model, slots, below,
                            off_cadence if strategy.models.fill and early.height else None),
                      factor if fitted is not None and fitted.height else None)


def _early_calls(portfolio: Portfolio, early: pl.DataFrame, strategy: Strategy) -> pl.DataFrame:
    """The calls the cadence does not make today (``early``: to accounts last called
    ``fill_gap_days`` days ago or more), for the capacity the fill leaves (``spare``, with
    ``models.fill``), but never to a customer reached in a right-party conversation (or a
    refusal or dispute) in the last ``rest_days`` days."""
    since = portfolio.as_of - timedelta(days=strategy.rest_days)
    reached = portfolio.contacts.filter(
        pl.col("outcome").is_in(REACHED_OUTCOMES) & pl.col("party").fill_null("debtor").is_in(["debtor", "unknown"])
        & (pl.col("at").dt.date() >= since)).select("customer_id").unique()
    return early.join(reached, on="customer_id", how="anti")


def spare_calls(spare: Spare, op_hours: list[int], planned: pl.DataFrame, *, off_cadence: bool = False
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Call options at the operation hours ``op_hours`` (those with capacity left), at every
    allowed local hour that falls in them, for the accounts with no call planned and room left
    (``planned``: account_id, used, called): (options worth at least ``min_value``, the rest as
    ``BELOW`` rows, for the hour summary). ``off_cadence``: the calls the cadence does not make today
    instead (``Spare.off_cadence``)."""
    strategy = spare.strategy
    room = ~pl.col("called").fill_null(False) & (pl.col("used").fill_null(0) < pl.col("quota"))
    rows = spare.off_cadence() if off_cadence and spare.off_cadence else spare.calls
    calls = rows.join(planned.cast({"account_id": rows.schema["account_id"]}), on="account_id",
                      how="left").filter(room).drop("used", "called")
    scored = _scored(_call_reach(calls, strategy, spare.model, spare.slots, op_hours=op_hours, keep=None),
                     strategy, spare.strategy_index, keep_all=True)
    worth = pl.col("net") >= strategy.min_value
    return scored.filter(worth), scored.filter(~worth).select(BELOW)


def _call_reach(calls: pl.DataFrame, strategy: Strategy, model: ContactModel, slots: pl.DataFrame, *,
                op_hours: list[int] | None = None, keep: int | None = CALL_OPTIONS) -> pl.DataFrame:
    """Each call option at each of the customer's best hours; reach = p_rpc = P(right party)."""
    hours = best_call_hours(calls, strategy, model, slots, op_hours=op_hours, keep=keep)
    calls = calls.select(LEAN).join(hours, on="customer_id").join(model.kind_factor, on="kind", how="left")
    p_rpc = (pl.col("p_hour") * pl.col("kind_factor").fill_null(0.6)).clip(0.005, 0.98)
    return calls.with_columns(p_rpc.alias("p_rpc"), p_rpc.alias("reach"))


def _message_reach(messages: pl.DataFrame, strategy: Strategy, model: ContactModel, slots: pl.DataFrame
                   ) -> pl.DataFrame:
    """Each message option at its hours; reach = the customer's response rate relative to the
    channel's (0.3 .. 3), p_rpc = the rate."""
    messages = messages.select(*LEAN, *MESSAGE_HOUR_KEY).join(
        message_hours(messages, strategy, slots), on=MESSAGE_HOUR_KEY, nulls_equal=True)
    messages = response_probability(model, messages).join(model.response_population, on="channel", how="left")
    return messages.with_columns(
        (pl.col("p_response") / pl.col("p_response_pop").fill_null(0.1)).clip(0.3, 3.0).alias("reach"),
        pl.col("p_response").alias("p_rpc"),
    )


ACCOUNT = ["account_id", "customer_id", "segment", "propensity", "past_due_cents", "preferred_channel", "zone",
           "jurisdiction", "pref_from", "pref_to"]  # what an option needs of its account and customer
LEAN = ["account_id", "customer_id", "channel", "contact_point_id", "kind", "quota", "treat", "base", "persuasion",
        "preferred", "cost", "disturbance", "fatigue"]  # what an option carries once it multiplies into hours
CALL_PEOPLE = ["segment", "zone", "cn", "pref_from", "pref_to", "law_first", "law_last"]  # what its hours depend on


def _lawful(jurisdictions: pl.Series) -> tuple[dict[str, int], dict[str, int]]:
    """The first and last lawful local start hour of each jurisdiction (``lawful_hours``)."""
    bounds = {j: start_hours(j) for j in jurisdictions.unique().drop_nulls().to_list()}
    return {j: b[0] for j, b in bounds.items()}, {j: b[1] for j, b in bounds.items()}


def _with_worth(acts: pl.DataFrame, strategy: Strategy, fitted: pl.DataFrame | None = None) -> pl.DataFrame:
    """The parts of an option's value that do not depend on its number and hour, worked out
    once per account and channel (see ``_scored``): ``base`` = propensity x past-due amount x
    offer effect and the channel's persuasion (with ``fitted``, the response models' rates per
    segment and channel: ``response_model.fitted_worth``), the preferred-channel bonus, the contact's cost and
    its disturbance x (1 + outbound attempts in 7 days); ``fatigue``: the disturbance of one
    more contact (what a second contact planned the same day costs more). Also ``cn``: the
    customer is protected by the CN rules (Beijing hours), and ``law_first`` / ``law_last``:
    the local start hours their rule packs allow."""
    price = {t: pl.col("channel").replace_strict({str(k): v for k, v in getattr(strategy, t).items()}, default=0.0)
             for t in ("cost", "disturbance", "persuasion")}
    first, last = _lawful(acts["jurisdiction"])
    quota = pl.col("quota")
    if strategy.contacts_per_week is not None:  # the week's contacts so far use up the weekly limit
        left = strategy.contacts_per_week - pl.col("recent").fill_null(0).cast(pl.Int32)  # recent is unsigned
        quota = pl.min_horizontal(quota, left).cast(pl.Int32)
    base = pl.col("propensity") * pl.col("past_due_cents") / 100 * pl.col("offer_effect")
    persuasion = price["persuasion"]
    if fitted is not None:
        acts = fitted_worth(acts, fitted, persuasion)
        base, persuasion = pl.col("base"), pl.col("persuasion")
    return acts.select(
        "account_id", "customer_id", "segment", "channel", "treat", quota.alias("quota"), "zone", "pref_from",
        "pref_to", base.alias("base"), persuasion.alias("persuasion"),
        pl.when(pl.col("preferred_channel") == pl.col("channel")).then(PREFERRED_BONUS).otherwise(1.0)
        .alias("preferred"),
        price["cost"].alias("cost"),
        (price["disturbance"] * (1 + pl.col("recent").fill_null(0))).alias("disturbance"),
        price["disturbance"].cast(pl.Float32).alias("fatigue"),
        pl.col("jurisdiction").str.contains("CN").alias("cn"),
        pl.col("jurisdiction").replace_strict(first, default=0, return_dtype=pl.Int8).alias("law_first"),
        pl.col("jurisdiction").replace_strict(last, default=23, return_dtype=pl.Int8).alias("law_last"),
    )


MESSAGE_HOUR_KEY = ["zone", "pref_from", "pref_to", "cn", "law_first", "law_last"]


def _beijing_window(strategy: Strategy, channel: str) -> tuple[int, int]:
    """The Beijing start hours of a CN-protected customer: the strategy's hours within CN's."""
    allowed = strategy.hours.of(channel)
    first, last = start_hours("CN")
    return max(allowed.start, first), min(allowed.stop - 1, last)


def message_hours(messages: pl.DataFrame, strategy: Strategy, slots: pl.DataFrame) -> pl.DataFrame:
    """The hours to send a message at, for each kind of customer (zone, stated preferred hours,
    CN-protected or not, lawful hours): the strategy's message hours (10:00 and 19:00 when
    allowed), the customer's preferred start hour instead of 10:00, 19:00 only inside the
    preferred hours, only hours their packs allow, and for CN-protected customers only hours
    inside Beijing message hours. With the UTC start instant and the operation's hour of each
    (``slot_table``). Worked out once per kind of customer, not per message row."""
    kinds = messages.select(MESSAGE_HOUR_KEY).unique()
    prefers = pl.col("pref_from").is_not_null() & pl.col("pref_to").is_not_null()
    in_pref = pl.col("hour").is_between(pl.col("pref_from"), pl.col("pref_to"))
    allowed = strategy.hours.of("sms")
    beijing_first, beijing_last = _beijing_window(strategy, "sms")
    hours = pl.DataFrame({"hour": pl.Series([h for h in (10, 19) if h in allowed] or [allowed.start], dtype=pl.Int8)})
    return (kinds.join(hours, how="cross")
            .with_columns(pl.when(prefers & (pl.col("hour") == 10)).then(pl.col("pref_from").cast(pl.Int8))
                          .otherwise(pl.col("hour")).alias("hour"))
            .filter(~prefers | in_pref | (pl.col("hour") == 10))
            .filter(pl.col("hour").is_between(pl.col("law_first"), pl.col("law_last")))
            .unique(maintain_order=True)
            .join(slots, on=["zone", "hour"])
            .filter(~pl.col("cn") | pl.col("beijing_hour").is_between(beijing_first, beijing_last))
            .drop("beijing_hour"))


def best_call_hours(calls: pl.DataFrame, strategy: Strategy, model: ContactModel, slots: pl.DataFrame, *,
                    op_hours: list[int] | None = None, keep: int | None = CALL_OPTIONS) -> pl.DataFrame:
    """The customer's best local hours to call (``keep`` of them; None: all), one narrow row per
    customer and hour, with its UTC start instant and operation hour: allowed by the strategy
    and by the customer's rule packs, inside stated preferred hours when the customer gave
    some, inside Beijing call hours for CN-protected customers, and (``op_hours``) only those
    falling in these operation hours. Ties go to the earlier hour. The hour grid is keyed by
    integers (customer, segment, zone), strings joined once per customer."""
    people = calls.select("customer_id", *CALL_PEOPLE).unique(
        "customer_id", keep="first", maintain_order=True).with_row_index("ck")
    zones = slots.select("zone").unique(maintain_order=True).with_row_index("zk")
    segments = people.select("segment").unique(maintain_order=True).with_row_index("sk")
    people = people.join(zones, on="zone", how="left", maintain_order="left").join(
        segments, on="segment", how="left", nulls_equal=True, maintain_order="left")
    allowed = strategy.hours.of("call")
    beijing_first, beijing_last = _beijing_window(strategy, "call")
    beijing = slots.join(zones, on="zone").select("zk", "hour", "beijing_hour", "op_hour")
    if op_hours is not None:
        beijing = beijing.filter(pl.col("op_hour").is_in(op_hours))
    hours = pl.DataFrame({"hour": pl.Series(list(allowed), dtype=pl.Int8)})
    grid = people.select("ck", "sk", "zk", "cn", "pref_from", "pref_to", "law_first", "law_last").join(
        hours, how="cross").join(beijing.drop("op_hour"), on=["zk", "hour"], maintain_order="left")
    grid = grid.filter(pl.col("hour").is_between(pl.col("law_first"), pl.col("law_last"))
                       & (~pl.col("cn") | pl.col("beijing_hour").is_between(beijing_first, beijing_last)))
    prefers = pl.col("pref_from").is_not_null() & pl.col("pref_to").is_not_null()
    in_pref = pl.col("hour").is_between(pl.col("pref_from"), pl.col("pref_to"))
    grid = grid.filter(~prefers | in_pref | ~(in_pref & prefers).any().over("ck")).select("ck", "sk", "hour")
    if strategy.models.hour_model:
        grid = rpc_by_hour(model, grid, people)
        order = [pl.col("ck"), -pl.col("p_rpc"), pl.col("hour")]
    else:  # no hour model: a stable spread of hours instead of the best ones
        spread = people.select("ck", pl.col("customer_id").hash(7).alias("h"))
        grid = grid.join(spread, on="ck").with_columns(pl.lit(flat_rpc(model)).alias("p_rpc"))
        order = [pl.col("ck"), pl.col("hour").cast(pl.UInt64) * 7919 + pl.col("h"), pl.col("hour")]
    best = grid.sort(order)
    if keep is not None:
        best = best.group_by("ck", maintain_order=True).head(keep)
    at = slots.join(zones, on="zone").select("zk", "hour", "start_utc", "op_hour")
    return best.join(people.select("ck", "customer_id", "zk"), on="ck").join(at, on=["zk", "hour"]).select(
        "customer_id", "hour", pl.col("p_rpc").alias("p_hour"), "start_utc", "op_hour")


def _scored(options: pl.DataFrame, strategy: Strategy, strategy_index: int, *, keep_all: bool = False
            ) -> pl.DataFrame:
    """value = base x reach x persuasion x preferred; net = value - cost - disturbance (the
    per-channel parts from ``_with_worth``, multiplied in the same order as written here).
    Options worth less than ``min_value`` are left out unless ``keep_all``."""
    value = pl.col("base") * pl.col("reach") * pl.col("persuasion") * pl.col("preferred")
    scored = (options.with_columns(value.alias("value"))
              .with_columns((pl.col("value") - pl.col("cost") - pl.col("disturbance")).alias("net"),
                            pl.lit(strategy_index).alias("strategy_index")))
    if not keep_all:
        scored = scored.filter(pl.col("net") >= strategy.min_value)
    return scored.select(OPTION_COLUMNS)


OPTION_COLUMNS = ["account_id", "customer_id", "channel", "contact_point_id", "hour", "start_utc", "op_hour", "p_rpc",
                  "value", "net", "quota", "treat", "strategy_index", "fatigue"]  # kind, address, zone: joined later


# Location contacts --------------------------------------------------------------------------
