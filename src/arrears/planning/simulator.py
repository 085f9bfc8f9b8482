"""Judge strategies before they touch customers: plans run day after day in a synthetic world.

Each day: the planner (the optimiser with a strategy, or the built-in naive baseline "call the
oldest debts, all numbers, all day") proposes attempts within the same capacity; every
executed attempt is judged by the compliance gate in time order given the history and the
day's earlier attempts (a denial counts as a violation; the naive baseline goes ahead
anyway); the world answers (sim_world); promises, payments and the next day's history follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from arrears.planning.contact_model import DEAD_OUTCOMES
from arrears.planning.frames import Capacity, Portfolio
from arrears.planning.gate_requests import (
    Gate,
    history_by_customer,
    planned_entry,
    recent_history,
    request_for,
)
from arrears.planning.optimiser import make_plan
from arrears.planning.reference import reference_plan
from arrears.planning.sim_world import World, give_numbers, make_world, simulate_attempts
from arrears.planning.sim_worlds import DEFAULT, WorldSpec
from arrears.planning.strategy import Split, Strategy

NAIVE = "naive"
REFERENCE = "reference"  # the simple reference planner (``planning.reference``)
BASELINES = (NAIVE, REFERENCE)
METRICS = ["money", "calls", "sms", "email", "rpc", "promises", "promises_kept", "complaints", "misdials",
           "known_bad", "third_party", "located", "violations"]
CONTACT_SCHEMA = pl.Schema({
    "contact_id": pl.String(), "account_id": pl.String(), "customer_id": pl.String(), "contact_point_id": pl.String(),
    "channel": pl.String(), "direction": pl.String(), "at": pl.Datetime("us", "UTC"), "party": pl.String(),
    "outcome": pl.String(), "promise_date": pl.Date(), "complaint": pl.Boolean(), "agency_id": pl.String(),
    "promise_cents": pl.Int64()})
PAYMENT_SCHEMA = pl.Schema({"payment_id": pl.String(), "account_id": pl.String(), "paid_at": pl.Datetime("us", "UTC"),
                            "reversed": pl.Boolean(), "amount_cents": pl.Int64()})


@dataclass(frozen=True)
class SimConfig:
    customers: int = 2000
    days: int = 30
    warmup_days: int = 14
    seed: int = 20261201
    start: date = date(2026, 12, 1)
    world: WorldSpec = DEFAULT

    def capacity(self) -> Capacity:
        """Calls every operation hour CN allows (08:00-22:00 Beijing: start hours 8-21), SMS and
        e-mail by the day: the world's budgets per 1,000 customers (by default a call an hour for
        every 50 customers, an SMS a day for every 10, an e-mail for every 40)."""
        w, n = self.world, self.customers
        calls = max(n * w.calls_per_hour_per_1000 // 1000, 5)
        return Capacity({("call", h): calls for h in range(8, 22)},
                        {"sms": max(n * w.sms_per_day_per_1000 // 1000, 10),
                         "email": max(n * w.email_per_day_per_1000 // 1000, 5)})


@dataclass
class State:
    world: World
    contacts: pl.DataFrame
    payments: pl.DataFrame
    pending: pl.DataFrame  # account_id, day, amount, keep
    cursor: int = 0  # the naive baseline's place in its list
    serial: int = 0
    rows: list[dict] = field(default_factory=list)

    def portfolio(self, day: date) -> Portfolio:
        return Portfolio(day, self.world.customers, self.world.points.drop("dead", "wrong"), self.world.accounts,
                         self.contacts, self.payments, pl.DataFrame(schema={"agency_id": pl.Utf8,
                                                                            "authorized_until": pl.Utf8,
                                                                            "last_evaluation": pl.Utf8}))


def _start_state(cfg: SimConfig) -> State:
    world = make_world(cfg.customers, cfg.start, cfg.seed, cfg.world)
    state = State(world, pl.DataFrame(schema=CONTACT_SCHEMA), pl.DataFrame(schema=PAYMENT_SCHEMA),
                  pl.DataFrame(schema={"account_id": pl.Utf8, "day": pl.Date, "amount": pl.Int64, "keep": pl.Boolean}))
    rng = np.random.default_rng(cfg.seed + 1)
    for d in range(cfg.warmup_days, 0, -1):
        day = cfg.start - timedelta(days=d)
        _step(state, _warmup_attempts(state, day, rng), day, rng, judged=None)
    state.rows.clear()
    return state


def _warmup_attempts(state: State, day: date, rng: np.random.Generator) -> pl.DataFrame:
    """History before the simulation: random calls to debtors' own numbers at random hours."""
    n = state.world.accounts.height
    pick = np.nonzero(rng.random(n) < 0.25)[0]
    points = state.world.points.filter((pl.col("owner") == "debtor") & (pl.col("kind") == "mobile"))
    frame = pl.DataFrame({"customer_index": pick, "local_hour": rng.integers(9, 21, len(pick))})
    frame = frame.with_columns((pl.lit("C") + (pl.col("customer_index") + 1).cast(pl.Utf8).str.zfill(6))
                               .alias("customer_id"))
    frame = frame.join(points.select("customer_id", "contact_point_id"), on="customer_id").with_columns(
        (pl.lit("A") + pl.col("customer_id").str.slice(1)).alias("account_id"), pl.lit("call").alias("channel"),
        pl.lit("none").alias("offer"))
    return _stamp(frame, state.world, day)


def _stamp(frame: pl.DataFrame, world: World, day: date) -> pl.DataFrame:
    """Adds at_utc from the local hour (minute 30) in each customer's zone."""
    zones = dict(world.customers.select("customer_id", "zone").iter_rows())
    ats = [datetime(day.year, day.month, day.day, int(h), 30, tzinfo=ZoneInfo(zones[c])).astimezone(UTC)
           for c, h in frame.select("customer_id", "local_hour").iter_rows()]
    return frame.with_columns(pl.Series("at_utc", ats, dtype=pl.Datetime("us", "UTC")))


def naive_plan(state: State, capacity: Capacity, day: date) -> pl.DataFrame:
    """The oldest debts first, every phone number of the account (the debtor's and its contacts'),
    every operation hour until the call capacity is used; no holds, no offers."""
    accounts = state.world.accounts.filter(pl.col("past_due_cents") > 0).sort(["dpd", "account_id"],
                                                                               descending=[True, False])
    phones = state.world.points.filter(pl.col("kind").is_in(["mobile", "home", "work"]))
    queue = accounts.select("account_id", "customer_id").join(phones.select("customer_id", "contact_point_id"),
                                                              on="customer_id", maintain_order="left")
    if queue.is_empty():
        return queue
    rows, op = [], ZoneInfo(capacity.zone)
    for hour in range(24):
        limit = capacity.per_hour("call", hour) or 0
        for i in range(limit):
            account, customer, point = queue.row((state.cursor + i) % queue.height)
            at = datetime(day.year, day.month, day.day, hour, (i * 60) // max(limit, 1), tzinfo=op)
            rows.append((account, customer, point, at.astimezone(UTC)))
        state.cursor = (state.cursor + limit) % queue.height
    frame = pl.DataFrame(rows, orient="row", schema={"account_id": pl.Utf8, "customer_id": pl.Utf8,
                                                     "contact_point_id": pl.Utf8, "at_utc": pl.Datetime("us", "UTC")})
    return frame.with_columns(pl.lit("call").alias("channel"), pl.lit("none").alias("offer"),
                              pl.lit("collection").alias("purpose"))


def _with_world_columns(attempts: pl.DataFrame, world: World) -> pl.DataFrame:
    zones = world.customers["zone"].unique().to_list()
    hour = pl.lit(None, dtype=pl.Int8)
    for z in zones:
        hour = pl.when(pl.col("zone") == z).then(pl.col("at_utc").dt.convert_time_zone(z).dt.hour()).otherwise(hour)
    wanted = ("account_id", "customer_id", "channel", "contact_point_id", "at_utc", "offer", "purpose", "message",
              "lost")
    keep = [c for c in wanted if c in attempts.columns]
    return (attempts.select(keep)
            .join(world.customers.select("customer_id", "zone", "jurisdiction", "language"), on="customer_id")
            .join(world.accounts.select("account_id", "flags", "agency_id"), on="account_id")
            .join(world.points.select("contact_point_id", "kind", pl.col("value").alias("address"),
                                      pl.col("owner"), "consent"), on="contact_point_id")
            .with_columns(hour.alias("local_hour"),
                          (pl.col("customer_id").str.slice(1).cast(pl.Int64) - 1).alias("customer_index"))
            .sort("at_utc", "account_id", "contact_point_id"))


def _judge(attempts: pl.DataFrame, state: State, gate: Gate, day: date) -> int:
    """Violations: executed attempts the gate does not allow, in time order, given the history
    and the day's earlier attempts with their outcomes."""
    portfolio = state.portfolio(day)
    recent = recent_history(portfolio.contacts, portfolio.contact_points, day)
    histories = history_by_customer(recent, attempts["customer_id"].unique())
    rows = attempts.with_columns(
        pl.col("at_utc").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").alias("at"),
        pl.col("at_utc").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").alias("at_history"),
        pl.when(pl.col("owner") == "debtor").then(pl.lit("debtor")).otherwise(pl.col("owner")).alias("party"),
    ).to_dicts()
    violations = 0
    for row in rows:
        row["packs"] = row["jurisdiction"].split(";")
        history = histories.setdefault(row["customer_id"], [])
        if gate(request_for(row, history, {}))["decision"] != "allow":
            violations += 1
        entry = planned_entry(row)
        entry["outcome"] = row.get("outcome")
        history.append(entry)
    return violations


def _step(state: State, attempts: pl.DataFrame, day: date, rng: np.random.Generator, judged: Gate | None) -> dict:
    world = state.world
    attempts = _with_world_columns(attempts, world) if "customer_index" not in attempts.columns else \
        _with_world_columns(attempts.drop("customer_index", "local_hour"), world)
    week = state.contacts.filter(pl.col("at").dt.date() >= day - timedelta(days=7)).group_by("account_id").len()
    done = simulate_attempts(world, attempts, dict(week.iter_rows()), day, rng)
    violations = _judge(done, state, judged, day) if judged and done.height else 0
    known_bad = _known_bad(state, done)
    _record_contacts(state, done)
    located = give_numbers(world, done, state.serial)
    state.serial += located
    money, kept = _pay(state, day, rng)
    row = {"day": day, "money": money / 100, "violations": violations, "promises_kept": kept, "located": located,
           "known_bad": known_bad}
    for channel in ("call", "sms", "email"):
        row["calls" if channel == "call" else channel] = int((done["channel"] == channel).sum()) if done.height else 0
    for name, column in (("rpc", "rpc"), ("misdials", "misdial"), ("third_party", "third_party"),
                         ("complaints", "complaint")):
        row[name] = int(done[column].sum()) if done.height else 0
    row["promises"] = int((done["promise_cents"] > 0).sum()) if done.height else 0
    state.rows.append(row)
    return row


def _known_bad(state: State, done: pl.DataFrame) -> int:
    """Attempts to a number or address that an earlier attempt found dead (``DEAD_OUTCOMES``:
    not_in_service, wrong_number, a failed SMS, a bounced or undeliverable message)."""
    if done.is_empty():
        return 0
    bad = state.contacts.filter(pl.col("outcome").is_in(DEAD_OUTCOMES)).select("contact_point_id").unique()
    return done.join(bad, on="contact_point_id", how="semi").height


def _record_contacts(state: State, done: pl.DataFrame) -> None:
    if done.is_empty():
        return
    n = done.height
    ids = [f"K{state.serial + i:09d}" for i in range(n)]
    state.serial += n
    promised = done["promise_cents"] > 0
    contacts = done.select(
        pl.Series("contact_id", ids), "account_id", "customer_id", "contact_point_id", "channel",
        pl.lit("outbound").alias("direction"), pl.col("at_utc").alias("at"), "party", "outcome",
        pl.when(promised).then(pl.col("promise_day")).otherwise(None).alias("promise_date"), "complaint",
        pl.lit(None, dtype=pl.Utf8).alias("agency_id"),
        pl.when(promised).then(pl.col("promise_cents")).otherwise(None).alias("promise_cents"),
    )
    state.contacts = pl.concat([state.contacts, contacts.cast(CONTACT_SCHEMA)])
    new = done.filter(promised).select("account_id", pl.col("promise_day").alias("day"),
                                       pl.col("promise_cents").alias("amount"), "keep")
    state.pending = pl.concat([state.pending, new.cast(state.pending.schema)])


def _pay(state: State, day: date, rng: np.random.Generator) -> tuple[int, int]:
    """Promises kept today, and a few unprompted payments; balances and days past due move."""
    world = state.world
    due = state.pending.filter((pl.col("day") == day) & pl.col("keep"))
    state.pending = state.pending.filter(pl.col("day") > day)
    n = world.accounts.height
    spontaneous = rng.random(n) < 0.004 * world.ability * world.willingness
    extra = pl.DataFrame({"account_id": world.accounts["account_id"].filter(pl.Series(spontaneous)),
                          "amount": (world.accounts["past_due_cents"].to_numpy()[spontaneous]
                                     * world.ability[spontaneous]).astype(np.int64)})
    paid = pl.concat([due.select("account_id", "amount"), extra]).group_by("account_id").agg(pl.col("amount").sum())
    accounts = world.accounts.join(paid, on="account_id", how="left").with_columns(
        pl.min_horizontal(pl.col("amount").fill_null(0), pl.col("balance_cents")).alias("amount"))
    paid_now = accounts.filter(pl.col("amount") > 0)
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    payments = paid_now.select(
        (pl.lit(f"Y{day:%Y%m%d}-") + pl.col("account_id")).alias("payment_id"), "account_id",
        pl.lit(at).alias("paid_at"), pl.lit(False).alias("reversed"), pl.col("amount").alias("amount_cents"))
    state.payments = pl.concat([state.payments, payments.cast(PAYMENT_SCHEMA)])
    world.accounts = accounts.with_columns(
        (pl.col("balance_cents") - pl.col("amount")).alias("balance_cents"),
        (pl.col("past_due_cents") - pl.col("amount")).clip(0).alias("past_due_cents"),
    ).with_columns(
        pl.when(pl.col("past_due_cents") == 0).then(0).otherwise(pl.col("dpd") + 1).cast(pl.Int32).alias("dpd")
    ).drop("amount")
    return int(paid_now["amount"].sum() or 0), due.join(paid_now, on="account_id", how="semi").height


def run_strategy(name: str, strategy: Strategy | None, cfg: SimConfig, gate: Gate, base: State) -> pl.DataFrame:
    """Metrics per day for one strategy (``strategy`` None = the baseline ``name``: naive or reference)."""
    state = replace(base, world=replace(base.world), rows=[])
    capacity = cfg.capacity()
    for d in range(cfg.days):
        day = cfg.start + timedelta(days=d)
        rng = np.random.default_rng(cfg.seed + 1000 + d)
        if strategy is None and name == REFERENCE:
            attempts = reference_plan(state.portfolio(day), capacity, gate)
        elif strategy is None:
            attempts = naive_plan(state, capacity, day)
        else:
            result = make_plan(state.portfolio(day), capacity, Split(strategy), gate)
            wanted = ("account_id", "customer_id", "channel", "contact_point_id", "at_utc", "offer", "purpose",
                      "message", "lost")
            attempts = result.attempts.select(c for c in wanted if c in result.attempts.columns)
        _step(state, attempts, day, rng, judged=gate)
    return pl.DataFrame(state.rows).with_columns(pl.lit(name).alias("strategy"))


def simulate(strategies: dict[str, Strategy | None], cfg: SimConfig, gate: Gate) -> pl.DataFrame:
    """Daily metrics of every strategy on the same world and starting history."""
    base = _start_state(cfg)
    return pl.concat([run_strategy(name, s, cfg, gate, base) for name, s in strategies.items()])


def summary(daily: pl.DataFrame) -> pl.DataFrame:
    """Totals per strategy, in the order given, with the right-party rate of calls."""
    order = daily["strategy"].unique(maintain_order=True)
    totals = daily.group_by("strategy", maintain_order=True).agg(pl.col(m).sum() for m in METRICS)
    totals = totals.with_columns((pl.col("rpc") / pl.col("calls").clip(1)).round(3).alias("rpc_rate"),
                                 pl.col("money").round(2))
    return pl.DataFrame({"strategy": order}).join(totals, on="strategy", how="left")


def charts(daily: pl.DataFrame, out) -> list:
    """One PNG per metric: the cumulative figure over the days, a line per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, ax = plt.subplots(figsize=(7, 4))
    fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.13)
    for metric in [*METRICS, "rpc_rate"]:
        ax.clear()
        for name in daily["strategy"].unique(maintain_order=True):
            mine = daily.filter(pl.col("strategy") == name).sort("day")
            if metric == "rpc_rate":
                values = (mine["rpc"].cum_sum() / mine["calls"].cum_sum().clip(1)).to_list()
            else:
                values = mine[metric].cum_sum().to_list()
            ax.plot(range(1, len(values) + 1), values, label=name)
        ax.set_xlabel("day")
        ax.set_ylabel(metric if metric == "rpc_rate" else f"cumulative {metric}")
        ax.set_title(metric)
        ax.legend()
        path = out / f"{metric}.png"
        fig.savefig(path, dpi=90)
        paths.append(path)
    plt.close(fig)
    return paths
