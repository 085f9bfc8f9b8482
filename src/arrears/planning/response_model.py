"""Response models learnt from the ledger (pure: frames in, frames out; no IO, no clock).

What a contact brings once it reaches the debtor, fitted per segment from the contact history
and the payments, each rate shrunk to the population's:

- ``promise``: P(a promise to pay | a right-party call): outbound calls answered by the debtor
  (outcome ``conversation``, ``refused`` or ``dispute``, party the debtor, ``unknown`` or not
  given); a hit when the call carries a promise (``promise_amount`` > 0);
- ``keep``: P(kept | a promise): every promise (any channel) whose date and ``KEEP_GRACE_DAYS``
  have passed; kept when the payments (not reversed) from the promise's instant until its date
  + grace add up to its amount (the rule ``affordability`` reads a broken promise by);
- ``cure``: P(a payment within ``CURE_DAYS`` | a delivered SMS or e-mail), per channel:
  messages delivered at least ``CURE_DAYS`` before the fit's date; a hit when a payment follows
  within the days and no right-party call came before it (a payment after a conversation is the
  conversation's, not the message's).

Shrinkage (empirical Bayes, a beta prior at the population's rate): ``rate = (hits + M x
p_pop) / (events + M)``, ``M`` = ``PRIOR_STRENGTH`` pseudo-events (50 for promise and keep,
200 for cure, whose rates are a few per cent); ``p_pop = (hits + 1) / (events + 2)`` over every
event, accounts without a segment included. A segment with no events gets the population's rate;
one with 10 x M events keeps 91% of its own. **Minimum evidence**: a kind (and channel) with
fewer than ``MIN_EVENTS`` events in the fit's window is not used (``used`` false): the plan keeps
the judgement (propensity x the channel's persuasion) for what it would have valued.

**The segment an event counts in is the one its account had before it.** The events of the last
``WINDOW_DAYS`` before the fit's date are counted in the segments as they stood at the window's
start (``since``): today's segments are partly made of those very outcomes (a kept promise raises
willingness, a payment ability), so with them a segment would be credited with what put its
accounts there (on the simulator's history, a keep rate of 44% for the able and willing against
0-8% for the rest, among customers whose hidden traits hardly differ between segments). The
nightly run takes the segments its scoring stored on that day; the plan, fitting from its files,
works them out with the history fallback from the history before that day
(``segmenter.segments_then``). Without segments of that day every event counts in the population
only (every segment gets the population's rate).

The history does not say which offer a contact made, so the rates are per segment (and channel
for ``cure``), not per offer: a treatment's ``offer_effect`` stays a judgement multiplier.
``holdout`` (``response_calibration``) checks the rates on a later period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from arrears.domain.vocabulary import Segment
from arrears.planning.frames import Portfolio
from arrears.planning.segmenter import segments_then

KINDS = ("promise", "keep", "cure")
PRIOR_STRENGTH = {"promise": 50.0, "keep": 50.0, "cure": 200.0}
MIN_EVENTS = {"promise": 100, "keep": 50, "cure": 200}
CURE_DAYS = 7
WINDOW_DAYS = 30  # the events a fit counts: those of the last 30 days, in the segments of 30 days ago
KEEP_GRACE_DAYS = 3
RPC_OUTCOMES = ["conversation", "refused", "dispute"]
MESSAGE_CHANNELS = ["sms", "email"]
UNKNOWN = "unknown"
SEGMENTS = [str(s) for s in Segment] + [UNKNOWN]
LEDGER_COLUMNS = ["account_id", "channel", "direction", "at", "outcome", "party", "promise_cents", "promise_date"]
EVENT_SCHEMA = {"kind": pl.Utf8, "channel": pl.Utf8, "account_id": pl.Utf8, "at": pl.Datetime("us", "UTC"),
                "hit": pl.Float64}
TABLE_SCHEMA = {"kind": pl.Utf8, "channel": pl.Utf8, "segment": pl.Utf8, "events": pl.Int64, "hits": pl.Int64,
                "rate": pl.Float64, "population": pl.Float64, "population_events": pl.Int64, "used": pl.Boolean}
SOURCE_WORDS = {"history": ("由本资产包历史拟合", "fitted from the portfolio's history"),
                "nightly": ("夜间重估", "nightly refit")}


@dataclass(frozen=True)
class ResponseRates:
    """The fitted rates of one date: one row per kind, channel and segment (``TABLE_SCHEMA``),
    with the population's rate and whether the kind has enough evidence to be used."""

    fitted_on: date
    source: str  # "history" (fitted by the plan from its portfolio) or "nightly" (stored by the nightly run)
    table: pl.DataFrame
    segments_on: date | None = None  # the day the events' segments are of (None: no segments, population only)

    def used(self, kind: str, channel: str = "call") -> bool:
        rows = self.table.filter((pl.col("kind") == kind) & (pl.col("channel") == channel))
        return bool(rows.height) and bool(rows["used"].all())

    def events(self, kind: str, channel: str = "call") -> int:
        rows = self.table.filter((pl.col("kind") == kind) & (pl.col("channel") == channel))
        return int(rows["population_events"].sum()) // rows.height if rows.height else 0  # the same on every row

    def as_dict(self) -> dict[str, Any]:
        return {"fitted_on": self.fitted_on.isoformat(), "source": self.source, "prior_strength": PRIOR_STRENGTH,
                "min_events": MIN_EVENTS, "cure_days": CURE_DAYS, "keep_grace_days": KEEP_GRACE_DAYS,
                "window_days": WINDOW_DAYS, "segments_on": self.segments_on and self.segments_on.isoformat(),
                "rows": self.table.to_dicts()}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> ResponseRates:
        table = pl.DataFrame(data["rows"], schema=TABLE_SCHEMA, orient="row") if data["rows"] else \
            pl.DataFrame(schema=TABLE_SCHEMA)
        segments_on = data.get("segments_on")
        return cls(date.fromisoformat(data["fitted_on"]), source or data["source"], table,
                   date.fromisoformat(segments_on) if segments_on else None)

    def summary(self) -> str:
        """One line for the run's summary: where the rates come from and what each kind rests on."""
        zh, en = SOURCE_WORDS.get(self.source, (self.source, self.source))
        parts = []
        for kind, channel, unit in (("promise", "call", "right-party calls"), ("keep", "call", "promises"),
                                    ("cure", "sms", "SMS"), ("cure", "email", "e-mails")):
            state = "used" if self.used(kind, channel) else f"judgement kept (< {MIN_EVENTS[kind]})"
            parts.append(f"{kind} {self.events(kind, channel):,} {unit}, {state}")
        segments = (f"segments of {self.segments_on}" if self.segments_on else
                    "no segments of the window's start: the population's rates")
        return (f"回应模型: {zh} {self.fitted_on} / response models: {en} of {self.fitted_on} ({'; '.join(parts)}; "
                f"{segments})")


def _right_party_calls(contacts: pl.DataFrame) -> pl.DataFrame:
    party = pl.col("party").fill_null("debtor") if "party" in contacts.columns else pl.lit("debtor")
    return contacts.filter((pl.col("channel") == "call") & (pl.col("direction").fill_null("outbound") == "outbound")
                           & pl.col("outcome").is_in(RPC_OUTCOMES) & party.is_in(["debtor", UNKNOWN])
                           & pl.col("at").is_not_null())


def promise_events(contacts: pl.DataFrame) -> pl.DataFrame:
    """Each right-party call, hit = it carries a promise."""
    return _right_party_calls(contacts).select(
        pl.lit("promise").alias("kind"), pl.lit("call").alias("channel"), "account_id", "at",
        (pl.col("promise_cents").fill_null(0) > 0).cast(pl.Float64).alias("hit"))


def keep_events(contacts: pl.DataFrame, payments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Each promise whose date and grace days have passed by ``as_of``, hit = kept."""
    due = pl.col("promise_date") + pl.duration(days=KEEP_GRACE_DAYS)
    promises = contacts.filter((pl.col("promise_cents").fill_null(0) > 0) & pl.col("promise_date").is_not_null()
                               & pl.col("at").is_not_null() & (due < pl.lit(as_of))).select(
        "account_id", "at", "promise_date", "promise_cents").with_row_index("p")
    paid = payments.filter(~pl.col("reversed").fill_null(False)).select("account_id", "paid_at", "amount_cents")
    within = (pl.col("paid_at") >= pl.col("at")) & (pl.col("paid_at").dt.date() <= due)
    kept = (promises.join(paid, on="account_id", how="left")
            .group_by("p").agg(pl.col("amount_cents").filter(within).sum().alias("paid")))
    return promises.join(kept, on="p", how="left").select(
        pl.lit("keep").alias("kind"), pl.lit("call").alias("channel"), "account_id", "at",
        (pl.col("paid").fill_null(0) >= pl.col("promise_cents")).cast(pl.Float64).alias("hit"))


def cure_events(contacts: pl.DataFrame, payments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Each SMS or e-mail delivered ``CURE_DAYS`` or more before ``as_of``, hit = a payment
    within the days, before any right-party call."""
    window = timedelta(days=CURE_DAYS)
    messages = contacts.filter(pl.col("channel").is_in(MESSAGE_CHANNELS)
                               & (pl.col("direction").fill_null("outbound") == "outbound")
                               & (pl.col("outcome") == "delivered") & pl.col("at").is_not_null()
                               & (pl.col("at").dt.date() <= as_of - window)).select("account_id", "channel", "at")
    paid = (payments.filter(~pl.col("reversed").fill_null(False)).select("account_id", pl.col("paid_at").alias("t_pay"))
            .drop_nulls().sort("t_pay"))
    talks = _right_party_calls(contacts).select("account_id", pl.col("at").alias("t_talk")).sort("t_talk")
    joined = (messages.sort("at")
              .join_asof(paid, left_on="at", right_on="t_pay", by="account_id", strategy="forward",
                         tolerance=window, check_sortedness=False)
              .join_asof(talks, left_on="at", right_on="t_talk", by="account_id", strategy="forward",
                         check_sortedness=False))
    cured = pl.col("t_pay").is_not_null() & (pl.col("t_talk").is_null() | (pl.col("t_talk") > pl.col("t_pay")))
    return joined.select(pl.lit("cure").alias("kind"), "channel", "account_id", "at",
                         cured.cast(pl.Float64).alias("hit"))


def events(contacts: pl.DataFrame, payments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Every event the three models learn from (``EVENT_SCHEMA``), judged as of ``as_of``.
    ``contacts``: account_id, channel, direction, at, outcome, promise_cents, promise_date (party
    optional); ``payments``: account_id, paid_at, amount_cents, reversed."""
    contacts = contacts.select([c for c in LEDGER_COLUMNS if c in contacts.columns])  # filters copy what they keep
    payments = payments.select("account_id", "paid_at", "amount_cents", "reversed").cast(
        {"account_id": contacts.schema["account_id"]})
    parts = [promise_events(contacts), keep_events(contacts, payments, as_of), cure_events(contacts, payments, as_of)]
    kept = {c: t for c, t in EVENT_SCHEMA.items() if c != "account_id"}  # the account's id keeps its type
    return pl.concat([p.cast(kept) for p in parts]).select(list(EVENT_SCHEMA))  # type: ignore[arg-type]


def with_segments(found: pl.DataFrame, segments: pl.DataFrame) -> pl.DataFrame:
    """The events with their account's segment (``unknown`` without one)."""
    seg = segments.select(pl.col("account_id").cast(found.schema["account_id"]),
                          pl.col("segment").cast(pl.Utf8)).unique("account_id")
    return found.join(seg, on="account_id", how="left").with_columns(pl.col("segment").fill_null(UNKNOWN))


def fit(contacts: pl.DataFrame, payments: pl.DataFrame, segments: pl.DataFrame | None, as_of: date, *,
        since: date, source: str = "history") -> ResponseRates:
    """The three models from the events from ``since`` to ``as_of`` (``events``), per segment:
    ``segments`` (account_id, segment) as they stood on ``since``; None: none of that day (every
    segment gets the population's rate)."""
    found = events(contacts, payments, as_of).filter(pl.col("at").dt.date() >= since)
    none = pl.DataFrame(schema={"account_id": pl.Utf8, "segment": pl.Utf8})
    return ResponseRates(as_of, source, rates_of(with_segments(found, none if segments is None else segments)),
                         since if segments is not None else None)


def plan_fit(portfolio: Portfolio) -> ResponseRates:
    """What a plan without stored rates fits from its own files: the events of the last
    ``WINDOW_DAYS``, in the history fallback's segments as they stood at the window's start."""
    since = portfolio.as_of - timedelta(days=WINDOW_DAYS)
    return fit(portfolio.contacts, portfolio.payments, segments_then(portfolio, since), portfolio.as_of, since=since)


def rates_of(found: pl.DataFrame) -> pl.DataFrame:
    """``TABLE_SCHEMA`` from segmented events: every kind and channel (promise and keep: call;
    cure: sms, email) x every segment, shrunk to the population's rate."""
    keys = pl.DataFrame({"kind": ["promise", "keep", "cure", "cure"], "channel": ["call", "call", *MESSAGE_CHANNELS]})
    pop = keys.join(found.group_by("kind", "channel").agg(pl.len().alias("population_events"),
                                                           pl.col("hit").sum().alias("population_hits")),
                    on=["kind", "channel"], how="left").with_columns(
        pl.col("population_events", "population_hits").fill_null(0).cast(pl.Int64))
    prior = pl.col("kind").replace_strict(PRIOR_STRENGTH, return_dtype=pl.Float64)
    least = pl.col("kind").replace_strict(MIN_EVENTS, return_dtype=pl.Int64)
    counts = found.group_by("kind", "channel", "segment").agg(pl.len().alias("events"),
                                                              pl.col("hit").sum().alias("hits"))
    grid = pop.join(pl.DataFrame({"segment": SEGMENTS}), how="cross").join(
        counts, on=["kind", "channel", "segment"], how="left").with_columns(
        pl.col("events", "hits").fill_null(0).cast(pl.Int64),
        ((pl.col("population_hits") + 1) / (pl.col("population_events") + 2)).alias("population"))
    return grid.with_columns(
        ((pl.col("hits") + prior * pl.col("population")) / (pl.col("events") + prior)).alias("rate"),
        (pl.col("population_events") >= least).alias("used"),
    ).select(list(TABLE_SCHEMA)).cast(TABLE_SCHEMA)  # type: ignore[arg-type]


RESPOND_SCHEMA = {"segment": pl.Utf8, "channel": pl.Utf8, "p_respond": pl.Float64, "p_promise": pl.Float64,
                  "p_keep": pl.Float64}


def respond(rates: ResponseRates) -> pl.DataFrame:
    """What the plan values with (``RESPOND_SCHEMA``): per segment and channel, P(promise and
    keep | reached) for a call (promise x keep, when both are used) and P(paid | delivered) for
    an SMS or e-mail (cure, when used). A channel or kind without a row keeps the judgement."""
    table = rates.table.filter(pl.col("used"))
    rate = {k: table.filter(pl.col("kind") == k) for k in KINDS}
    calls = (rate["promise"].select("segment", pl.col("rate").alias("p_promise"))
             .join(rate["keep"].select("segment", pl.col("rate").alias("p_keep")), on="segment")
             .select("segment", pl.lit("call").alias("channel"), (pl.col("p_promise") * pl.col("p_keep"))
                     .alias("p_respond"), "p_promise", "p_keep"))
    messages = rate["cure"].select("segment", "channel", pl.col("rate").alias("p_respond"),
                                   pl.lit(None, dtype=pl.Float64).alias("p_promise"),
                                   pl.lit(None, dtype=pl.Float64).alias("p_keep"))
    return pl.concat([calls.cast(RESPOND_SCHEMA), messages.cast(RESPOND_SCHEMA)])  # type: ignore[arg-type]


LIFT = (0.25, 4.0)  # the account's propensity against its segment's mean, within these bounds


def for_accounts(table: pl.DataFrame, accounts: pl.DataFrame, *, level: str = "judgement"
                 ) -> tuple[pl.DataFrame, float]:
    """``respond``'s table for the accounts the plan may contact (segment, propensity), with each
    segment's mean propensity (the level an account's lift is taken against), and the factor the
    rates were scaled by. ``level``: ``fitted`` takes the rates at face value (factor 1: the value
    is expected money in yuan); ``judgement`` scales them all by one factor, so that the call's
    P(promise and keep | reached) averages over the accounts what the judgement (propensity)
    does, since the strategy's cost and disturbance prices are in the judgement's units: what the
    fit changes is how segments and channels compare. Without fitted call rates, ``judgement``
    keeps the judgement everywhere (an empty table): there is nothing to scale the messages by."""
    means = accounts.group_by(pl.col("segment").cast(pl.Utf8)).agg(pl.col("propensity").mean().alias("mean_propensity"))
    factor = 1.0
    if level == "judgement":
        calls = table.filter(pl.col("channel") == "call").select("segment", "p_respond")
        both = accounts.select(pl.col("segment").cast(pl.Utf8), "propensity").join(calls, on="segment")
        fitted = both["p_respond"].mean() if both.height else None
        if not isinstance(fitted, float) or fitted <= 0:
            return table.clear().with_columns(pl.lit(None, dtype=pl.Float64).alias("mean_propensity")), factor
        factor = float(both["propensity"].mean() or 0.0) / fitted  # type: ignore[arg-type]
        table = table.with_columns(pl.col("p_respond") * factor)
    return table.join(means, on="segment", how="left"), factor


def fitted_worth(acts: pl.DataFrame, table: pl.DataFrame, persuasion: pl.Expr) -> pl.DataFrame:
    """``acts`` (segment, channel, propensity, past_due_cents, offer_effect) with ``base`` and
    ``persuasion`` from the fitted rates (``for_accounts``' table) where there are any: base = the
    segment's fitted rate x the account's lift (its propensity over the segment's mean: the
    judgement ranks accounts within a segment, the fit sets the level) x past due x offer
    effect, persuasion 1 (the fitted rate is the channel's); elsewhere the judgement's
    (propensity x past due x offer effect, the channel's persuasion)."""
    lift = (pl.col("propensity") / pl.col("mean_propensity")).fill_nan(1.0).fill_null(1.0).clip(*LIFT)
    amount = pl.col("past_due_cents") / 100 * pl.col("offer_effect")
    fitted = pl.col("p_respond").is_not_null()
    joined = acts.join(table.select("segment", "channel", "p_respond", "mean_propensity"), on=["segment", "channel"],
                       how="left", maintain_order="left")
    return joined.with_columns(
        pl.when(fitted).then(pl.col("p_respond") * lift * amount).otherwise(pl.col("propensity") * amount)
        .alias("base"),
        pl.when(fitted).then(pl.lit(1.0)).otherwise(persuasion).alias("persuasion"),
    ).drop("p_respond", "mean_propensity")


def _percent(column: str) -> pl.Expr:
    return (pl.col(column) * 100).round(1).cast(pl.Utf8)


def response_reason(taken: pl.DataFrame, rates: ResponseRates, factors: dict[int, float | None]
                    ) -> tuple[pl.DataFrame, pl.Expr]:
    """The words a plan row adds on the rates that valued it, for the rows of the strategies in
    ``factors`` (the factor their rates were scaled by, ``for_accounts``; None: the judgement was
    kept), empty for the others: a call's P(promise | reached) and P(kept | promise), a message's
    P(paid within the days | delivered), with where they come from; ``judgement`` when the kind had
    too little history (or the channel has no model)."""
    zh, en = SOURCE_WORDS.get(rates.source, (rates.source, rates.source))
    table = respond(rates).rename({"p_respond": "_p_respond", "p_promise": "_p_promise", "p_keep": "_p_keep"})
    scaled = {i: f for i, f in factors.items() if f is not None}
    taken = taken.with_columns(
        pl.col("segment").cast(pl.Utf8).alias("_segment"),
        pl.col("strategy_index").replace_strict(scaled, default=None, return_dtype=pl.Float64).alias("_factor"),
    ).join(table.rename({"segment": "_segment"}), on=["_segment", "channel"], how="left", maintain_order="left")
    source = pl.format("{} {}{} / {} of {}{}", pl.lit(zh), pl.lit(str(rates.fitted_on)), _scaled_zh(),
                       pl.lit(en), pl.lit(str(rates.fitted_on)), _scaled_en())
    call = pl.format("; 承诺率{}%×兑现率{}% / P(promise | reached) {}% × P(kept | promise) {}% ({})",
                     _percent("_p_promise"), _percent("_p_keep"), _percent("_p_promise"), _percent("_p_keep"), source)
    message = pl.format("; {}天内还款率{}% / P(paid within {} days | delivered) {}% ({})", pl.lit(CURE_DAYS),
                        _percent("_p_respond"), pl.lit(CURE_DAYS), _percent("_p_respond"), source)
    judgement = pl.lit("; 回应率为经验值(历史不足或无此渠道模型) / response: judgement (too little history, or "
                       "no model for the channel)")
    fitted = pl.col("_factor").is_not_null()
    words = (pl.when(~pl.col("strategy_index").is_in(list(factors))).then(pl.lit(""))
             .when(fitted & pl.col("_p_promise").is_not_null()).then(call)
             .when(fitted & pl.col("_p_respond").is_not_null()).then(message)
             .otherwise(judgement))
    return taken, words


def _scaled_zh() -> pl.Expr:
    factor = pl.col("_factor").round(2).cast(pl.Utf8)
    return pl.when(pl.col("_factor") == 1.0).then(pl.lit("")).otherwise(pl.format(", 按经验值水平×{}", factor))


def _scaled_en() -> pl.Expr:
    factor = pl.col("_factor").round(2).cast(pl.Utf8)
    return pl.when(pl.col("_factor") == 1.0).then(pl.lit("")).otherwise(
        pl.format(", valued ×{} to the judgement's level", factor))
