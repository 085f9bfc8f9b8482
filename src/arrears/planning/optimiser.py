"""The daily plan: the best attempts that fit the capacity, each passed by the gate.

Greedy fill by value: in each pass every account offers its best remaining option per
channel (at most its treatment's daily quota, on different channels; a second contact the same
day is worth its net less the fatigue of the first); options are ranked by that value within
each capacity slot (channel x operation hour) and within the channel's whole day, and taken
while capacity remains. Every taken option goes to the compliance gate at its scheduled
instant with the debtor's history plus the attempts planned before it; a denied option is
dropped and its capacity freed for the next pass. Passes repeat until nothing more fits.
Calls are first offered at each number's best hours; when an hour still has capacity after
that, every account without a call yet is offered at every lawful hour that falls in it
(``spare_calls``), then, if capacity is still left, the calls off cadence; the passes go on
after each. So an hour is left with capacity only when its best remaining option is worth less
than nothing (or below ``min_value``), which ``PlanResult.hours`` says per hour. Ties break by
account, channel, number and hour, so the same inputs give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from arrears.compliance.facts import OWNER_PARTY
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.partitions import Cluster
from arrears.planning import contact_model, response_model
from arrears.planning.affordability import with_capacity
from arrears.planning.attempt_details import Details, SelfService, lost_flags
from arrears.planning.candidates import (
    LOCATION,
    Spare,
    candidates,
    spare_calls,
    treatment_table,
)
from arrears.planning.complaint_level import Level, complaint_level
from arrears.planning.eligibility import eligibility
from arrears.planning.fill_state import FillState, left_frame, position_within
from arrears.planning.frames import Capacity, Portfolio
from arrears.planning.gate_requests import Gate, agencies_by_id, gate_path, recent_history
from arrears.planning.gate_runner import GateRunner
from arrears.planning.hour_summary import hour_summary
from arrears.planning.local_time import local_iso
from arrears.planning.plan_rows import PLAN_COLUMNS, present
from arrears.planning.response_model import ResponseRates, respond
from arrears.planning.segmenter import Segmenter, history_segmenter
from arrears.planning.strategy import Split, Strategy, assign

__all__ = ["PLAN_COLUMNS", "PlanResult", "PlanStats", "make_plan"]

MAX_PASSES = 40  # a safety bound: passes end when nothing more fits (about one per hour an account moves on)
GATE_CHUNK = 1_000_000  # attempts per fork of the gate workers (one fork per pass at 1M accounts)
ORDER = ["net", "account_id", "channel", "contact_point_id", "hour"]
DESC = [True, False, False, False, False]


@dataclass
class PlanStats:
    accounts: int = 0
    held: int = 0
    candidates: int = 0
    gate_checks: int = 0
    gate_denied: int = 0
    passes: int = 0
    spare_options: int = 0  # call options offered at more hours because capacity was left
    planned: int = 0
    location: int = 0  # location calls to third parties
    response: str = ""  # where the response models' rates came from, when a strategy uses them
    # by strategy using the response models: the factor their rates were scaled by (None: judgement kept)
    response_factors: dict[int, float | None] = field(default_factory=dict)
    # by strategy (its label) that prices disturbance by the history's complaints: the level read (``complaint_level``)
    complaint_levels: dict[str, Level] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    denials: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResult:
    plan: pl.DataFrame  # PLAN_COLUMNS + EXTRA_COLUMNS, best first
    attempts: pl.DataFrame  # the same rows with the working columns (net, hour, kind, address, ...)
    stats: PlanStats
    hours: pl.DataFrame = field(default_factory=pl.DataFrame)  # HOUR_COLUMNS: capacity and use per slot


Clock = Callable[[], float]


def _capacity_frame(capacity: Capacity, channels: list[str]) -> pl.DataFrame:
    rows = [(c, h, capacity.per_hour(c, h)) for c in channels for h in range(24)]
    return pl.DataFrame(rows, orient="row", schema={"channel": pl.Utf8, "op_hour": pl.Int8, "hour_cap": pl.Int64})


def make_plan(portfolio: Portfolio, capacity: Capacity, split: Split, gate: Gate, *,
              segmenter: Segmenter = history_segmenter, clock: Clock | None = None, workers: int = 1,
              message_texts: pl.DataFrame | None = None, cluster: Cluster | None = None,
              response: ResponseRates | None = None) -> PlanResult:
    """The plan for ``portfolio.as_of``. ``clock`` (optional) only times the stages; ``workers``
    processes judge the attempts (same verdicts as one), or a ``cluster``. ``message_texts``
    (template, channel, jurisdiction, language, text) gives the gate the words of each planned
    message to screen; without it a message is judged without its text (rules that need the
    text answer review). ``response``: the response models' rates the nightly run stored; without
    them a strategy that uses the models (``models.response``) has them fitted from the portfolio's history."""
    with GateRunner(gate_path(gate), agencies_by_id(portfolio.agencies), workers=workers, cluster=cluster) as runner:
        return _plan(portfolio, capacity, split, runner, segmenter=segmenter, clock=clock, texts=message_texts,
                     response=response)


def _plan(portfolio: Portfolio, capacity: Capacity, split: Split, runner: GateRunner, *, segmenter: Segmenter,
          clock: Clock | None, texts: pl.DataFrame | None = None, response: ResponseRates | None = None
          ) -> PlanResult:
    stats = PlanStats()
    tick = _ticker(stats, clock)
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    runner.preload(recent)  # worker processes build the histories while the candidates are worked out
    tick("gate history")
    segments = segmenter(portfolio)
    tick("segments")
    model = contact_model.fit(portfolio, segments)
    tick("contact model")
    if any(s.models.response for s in split.strategies):
        response = response or response_model.plan_fit(portfolio)
        stats.response = response.summary()
        tick("response models")
    else:
        response = None
    accounts = (portfolio.accounts.join(portfolio.customers, on="customer_id", how="left")
                .join(segments, on="account_id", how="inner")
                .with_columns(pl.col("zone").fill_null(DEFAULT_ZONE), pl.col("jurisdiction").fill_null("CN")))
    accounts = accounts.with_columns(assign(accounts["account_id"], split).alias("strategy_index"))
    afford = [c for c in ("capacity_cents", "capacity_source") if any(s.affordability for s in split.strategies)]
    if afford:
        accounts = with_capacity(portfolio, accounts)
    stats.accounts = accounts.height
    details = Details(accounts.select("account_id", "dpd", "flags", "agency_id", "language", "zone", "jurisdiction",
                                      "segment", "past_due_cents", *afford),
                      pl.concat([treatment_table(strategy, i) for i, strategy in enumerate(split.strategies)]),
                      portfolio.contact_points.select(
                          "contact_point_id", "kind", pl.col("value").alias("address"), "consent",
                          pl.col("owner").replace_strict(OWNER_PARTY, default="third_party", return_dtype=pl.Utf8)
                          .alias("party")),
                      SelfService.of(split, model.message_minded), texts, lost_flags(portfolio.contact_points))
    options, spares = _options(portfolio, accounts, split, model, capacity=capacity, stats=stats, response=response)
    tick("candidates")
    del accounts, segments, model  # the fill allocates gigabytes: what is freed here is reused there
    taken, hours = _fill(options, capacity, runner, recent, stats=stats, tick=tick, details=details, spares=spares)
    plan = present(taken, split, response, stats.response_factors)
    stats.planned = plan.height
    stats.location = int((taken["purpose"] == "location").sum()) if "purpose" in taken.columns else 0
    tick("output")
    return PlanResult(plan, taken, stats, hours)


def _options(portfolio: Portfolio, accounts: pl.DataFrame, split: Split, model: contact_model.ContactModel, *,
             capacity: Capacity, stats: PlanStats, response: ResponseRates | None
             ) -> tuple[pl.DataFrame, list[Spare]]:
    """Every strategy's candidate options for its share of the accounts, and what offering
    their calls at more hours needs."""
    parts, spares = [], []
    rates = respond(response) if response is not None else None
    for index, written in enumerate(split.strategies):
        strategy = _priced(portfolio, written, stats)
        elig = eligibility(portfolio, accounts.filter(pl.col("strategy_index") == index), strategy)
        stats.held += elig.held
        found = candidates(portfolio, elig, strategy, model, capacity=capacity, strategy_index=index,
                           response=rates if strategy.models.response else None)
        if strategy.models.response:
            stats.response_factors[index] = found.response_factor
        parts.append(found.options)
        spares.append(found.spare)
    options = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
    stats.candidates = options.height
    return options, spares


def _priced(portfolio: Portfolio, strategy: Strategy, stats: PlanStats) -> Strategy:
    """``strategy`` with its disturbance prices times the complaint level of the history, when it
    asks for that (``complaints``); as it is otherwise."""
    if strategy.complaints is None:
        return strategy
    level = complaint_level(portfolio, strategy.complaints)
    stats.complaint_levels[strategy.label] = level
    return strategy.model_copy(update={"disturbance": {c: p * level.level for c, p in strategy.disturbance.items()}})


def _ticker(stats: PlanStats, clock: Clock | None) -> Callable[[str], None]:
    last = [clock() if clock else 0.0]

    def tick(name: str) -> None:
        if clock:
            now = clock()
            stats.timings[name] = stats.timings.get(name, 0.0) + now - last[0]
            last[0] = now
    return tick


NARROW = ["option", "account_id", "channel", "op_hour", "net", "quota", "contact_point_id", "hour", "fatigue", "treat"]
CHANNEL_CODE = {"call": 0, "sms": 1, "email": 2, "letter": 3}


def _integer_keys() -> list[pl.Expr]:
    """``ac``: the account, ``acch``: the account and channel (a location call to a third party
    takes the account's call of the day), as integers for the fill's groupings and anti-joins
    over millions of rows (identity only; ordering uses ``ORDER``)."""
    account = pl.col("account_id").cast(pl.Categorical).to_physical().cast(pl.UInt64)
    channel = pl.col("channel").replace_strict(CHANNEL_CODE, return_dtype=pl.UInt64)
    return [account.alias("ac"), (account * len(CHANNEL_CODE) + channel).alias("acch")]


@dataclass
class _Round:
    """What the passes of one plan share: the capacity, the gate and how options are completed."""

    capacity: Capacity
    channels: list[str]
    caps: pl.DataFrame
    runner: GateRunner
    recent: pl.DataFrame
    details: Details
    stats: PlanStats
    tick: Callable[[str], None]


def _fill(options: pl.DataFrame, capacity: Capacity, runner: GateRunner, recent: pl.DataFrame, *, stats: PlanStats,
          tick: Callable[[str], None], details: Details, spares: list[Spare] | None = None
          ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The allowed attempts, best first, and the hour summary (``hour_summary``)."""
    spares = spares or []
    channels = sorted(set(options["channel"].unique().to_list() if options.height else [])
                      | ({"call"} if any(s.calls.height for s in spares) else set()))
    if not channels:
        return options, hour_summary(FillState(), options, [], capacity, [])
    caps = _capacity_frame(capacity, channels)
    ctx = _Round(capacity, channels, caps, runner, recent, details, stats, tick)
    options = _in_open_slots(options, caps).with_row_index("option")
    none_taken = options.clear()
    wide = options.drop(NARROW)  # an option's other columns, found by position (option = row number)
    live = options.select(NARROW).sort(ORDER, descending=DESC).with_columns(  # sorted once; filters keep the order
        *_integer_keys())
    del options
    state = FillState()
    tick("fill")
    live = _passes(live, wide, state, ctx)
    below = [spare.below for spare in spares]
    for off_cadence in (False, True):  # the numbers' other hours; then calls off cadence, for what is still left
        live, wide = _spare_stage(live, wide, state, ctx, spares=spares, below=below, off_cadence=off_cadence)
    hours = hour_summary(state, live, below, capacity, channels)
    if not state.chosen:
        return none_taken, hours
    return pl.concat(state.chosen, how="diagonal_relaxed").sort(ORDER, descending=DESC), hours


def _spare_stage(live: pl.DataFrame, wide: pl.DataFrame, state: FillState, ctx: _Round, *, spares: list[Spare],
                 below: list[pl.DataFrame], off_cadence: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """When call capacity is left: the spare options (``below`` gets those under ``min_value``), then passes."""
    staged = [s for s in spares if s.strategy.models.fill and (s.off_cadence or not off_cadence)]
    if not staged or not (open_hours := _open_hours(state, ctx.capacity, "call")):
        return live, wide
    more, more_below = _spare_options(staged, open_hours, state, off_cadence=off_cadence)
    below += more_below
    more = _in_open_slots(more, ctx.caps)
    ctx.stats.spare_options += more.height
    if more.height:
        more = more.with_row_index("option", offset=wide.height)
        wide = pl.concat([wide, more.drop(NARROW)], how="vertical_relaxed")
        live = pl.concat([live, more.select(NARROW).with_columns(*_integer_keys())], how="vertical_relaxed").sort(
            ORDER, descending=DESC)
        live = _passes(live, wide, state, ctx)
    return live, wide


def _in_open_slots(options: pl.DataFrame, caps: pl.DataFrame) -> pl.DataFrame:
    open_slots = caps.filter(pl.col("hour_cap").is_null() | (pl.col("hour_cap") > 0)).select("channel", "op_hour")
    return options.join(open_slots, on=["channel", "op_hour"], how="semi")


def _passes(live: pl.DataFrame, wide: pl.DataFrame, state: FillState, ctx: _Round) -> pl.DataFrame:
    """Passes until nothing more fits (or ``MAX_PASSES`` in all): the options still open after them."""
    while ctx.stats.passes < MAX_PASSES:
        ctx.stats.passes += 1
        best = _best_that_fit(live, state, ctx.capacity, ctx.channels)
        if best.is_empty():
            break
        best = ctx.details.of(pl.concat([best, wide[best["option"]]], how="horizontal")).join(
            ctx.caps, on=["channel", "op_hour"], how="left", maintain_order="left")
        best = _schedule(best, state.hour_used)
        ctx.tick("fill")
        allowed = _judge(best, ctx.runner, ctx.recent, stats=ctx.stats)
        ctx.tick("gate")
        state.record(allowed)
        live = _still_open(live, best, allowed, state, capacity=ctx.capacity, channels=ctx.channels)
    return live


def _open_hours(state: FillState, capacity: Capacity, channel: str) -> list[int]:
    """The operation hours in which ``channel`` still has capacity (none when its day is full)."""
    day = capacity.daily.get(channel)
    if day is not None and state.day_used.get(channel, 0) >= day:
        return []
    return [h for h in range(24) if (cap := capacity.per_hour(channel, h)) is not None
            and cap > state.hour_used.get((channel, h), 0)]


def _spare_options(spares: list[Spare], open_hours: list[int], state: FillState, *, off_cadence: bool
                   ) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Call options at the open hours for every account without a call yet (``spare_calls``)."""
    planned = state.planned()
    found = [spare_calls(spare, open_hours, planned, off_cadence=off_cadence) for spare in spares
             if spare.calls.height or off_cadence]
    options = pl.concat([f[0] for f in found], how="vertical_relaxed") if found else pl.DataFrame()
    return options, [f[1] for f in found]


def _still_open(live: pl.DataFrame, best: pl.DataFrame, allowed: pl.DataFrame, state: FillState, *,
                capacity: Capacity, channels: list[str]) -> pl.DataFrame:
    """Drops denied options, channels an account has used, accounts at their quota (but for a
    location call to a third party) and full slots."""
    refused = best.join(allowed.select("option"), on="option", how="anti")
    denied = refused.select("option")
    # a refused location call is refused for whom it is to or why (the debtor is not lost), not for
    # its hour: the account's other location calls go too (its calls to the debtor stay)
    denied_location = refused.filter(pl.col("treat") == LOCATION).select("acch", "treat")
    left = left_frame(state.hour_used, state.day_used, capacity, channels).filter(
        (pl.col("hour_left").is_null() | (pl.col("hour_left") > 0)) & (pl.col("day_left") > 0)).select(
        "channel", "op_hour")
    used = state.quota_used
    assert used is not None  # state.record(allowed) has run
    live = (live.join(denied, on="option", how="anti")
            .join(denied_location, on=["acch", "treat"], how="anti")
            .join(allowed.select("acch"), on="acch", how="anti")
            .join(left, on=["channel", "op_hour"], how="semi"))
    at_quota = live.join(used, on="account_id", how="inner").filter(pl.col("used") >= pl.col("quota"))["ac"].unique()
    return live.filter(~pl.col("ac").is_in(at_quota.implode()) | (pl.col("treat") == LOCATION))


SECOND = ["now", "acch", "contact_point_id", "hour"]  # the order of a pass's options once some are second contacts


def _best_that_fit(live: pl.DataFrame, state: FillState, capacity: Capacity, channels: list[str]) -> pl.DataFrame:
    """Each account's best remaining options (its quota, one per channel) that fit the
    capacity left, ranked by their value today within each slot and each channel's day: the
    net, less the fatigue of each contact already planned for the account today (a second
    contact is planned only when it is still worth more than nothing)."""
    left = left_frame(state.hour_used, state.day_used, capacity, channels)
    best = live.filter(pl.col("acch").is_first_distinct())  # live is in ORDER: each channel's best option
    if state.quota_used is None:
        best = best.with_columns(pl.lit(0, dtype=pl.Int64).alias("quota_used"))
    else:
        best = best.join(state.quota_used.rename({"used": "quota_used"}), on="account_id", how="left",
                         maintain_order="left").with_columns(pl.col("quota_used").fill_null(0))
        if best["quota_used"].max():
            best = best.with_columns((pl.col("net") - pl.col("fatigue") * pl.col("quota_used")).alias("now")).filter(
                (pl.col("quota_used") == 0) | (pl.col("now") >= 0)).sort(
                SECOND, descending=[True, False, False, False]).drop("now")
    location = best["treat"] == LOCATION  # a location call to a third party: outside the debtor's quota
    keys = best.select(pl.when(location).then(pl.col("ac") | (1 << 63)).otherwise(pl.col("ac")))["ac"]
    best = (best
            .with_columns(position_within(keys).alias("k"))  # rank by value within the account
            .filter((pl.col("k") <= pl.col("quota") - pl.col("quota_used")) | (pl.col("treat") == LOCATION))
            .join(left, on=["channel", "op_hour"], how="left", maintain_order="left"))
    best = best.with_columns(pl.int_range(pl.len()).over("channel", "op_hour").alias("slot_rank")).filter(
        pl.col("hour_left").is_null() | (pl.col("slot_rank") < pl.col("hour_left")))
    return best.with_columns(pl.int_range(pl.len()).over("channel").alias("day_rank")).filter(
        pl.col("day_rank") < pl.col("day_left"))


def _schedule(best: pl.DataFrame, hour_used: dict) -> pl.DataFrame:
    """Spread the slot's attempts over its hour, from HH:01 to HH:59 (a boundary instant may be quiet)."""
    used = pl.DataFrame([(c, h, n) for (c, h), n in hour_used.items()], orient="row",
                        schema={"channel": pl.Utf8, "op_hour": pl.Int8, "used": pl.Int64})
    best = best.join(used, on=["channel", "op_hour"], how="left").with_columns(pl.col("used").fill_null(0))
    position = pl.col("used") + pl.col("slot_rank")
    size = pl.max_horizontal(pl.col("hour_cap").fill_null(0), pl.col("used") + pl.len().over("channel", "op_hour"))
    seconds = (60 + position * 3480 // size).clip(60, 3540)  # HH:01 .. HH:59, never on the hour boundary
    return best.with_columns((pl.col("start_utc") + pl.duration(seconds=seconds)).alias("at_utc")).drop("used")


def _judge(best: pl.DataFrame, runner: GateRunner, recent: pl.DataFrame, *, stats: PlanStats) -> pl.DataFrame:
    """Ask the gate about each option, best first, in chunks; keep the allowed ones. Each
    request's history is the portfolio's plus the attempts planned before it."""
    zones = best["zone"].unique().to_list()
    best = best.with_columns(local_iso("at_utc", zones).alias("scheduled_at"),
                             pl.col("at_utc").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").alias("at_history"),
                             pl.col("at_utc").dt.epoch("s").alias("at_ts"))
    keep: list[int] = []
    for chunk in best.iter_slices(GATE_CHUNK):
        verdicts = runner.judge(chunk.with_columns(pl.col("scheduled_at").alias("at")), recent)
        keep += verdicts.allowed  # packs: from jurisdiction, where each row is judged
        stats.gate_checks += verdicts.checks
        stats.gate_denied += verdicts.denied
        for rule, n in verdicts.denials.items():
            stats.denials[rule] = stats.denials.get(rule, 0) + n
    allowed = pl.DataFrame({"option": keep}, schema={"option": pl.UInt32})
    return best.join(allowed, on="option", how="semi")
