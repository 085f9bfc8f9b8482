"""The simulator's synthetic world: customers with hidden traits, and what a contact does.

Hidden per customer: ability and willingness to pay, a base answer rate and a best local
hour (answer rate x1.7 within an hour of it, x0.55 elsewhere), SMS and e-mail response rates,
and sensitivity to being contacted. Numbers: some listed invalid (and dead), some listed
valid/unknown but dead or reaching a wrong person; emergency contacts that are third parties.

Money: a right-party conversation leads to a promise with probability 0.25 + 0.5 x
willingness (+0.15 when the offer fits). Without a fitting offer the promise is the whole
past-due amount, kept with probability willingness x ability^2; with a fitting offer
(installment, extension or hardship for the unable, settlement for the unable and unwilling)
it is what the customer can afford (past due x max(ability, 0.35), or 40% of the balance
for a settlement), kept with probability 0.85 x willingness (settlement 0.35 + 0.3 x
willingness). A message answered acts like a conversation at a tenth of the promise rate.

Third parties: a call answered by an emergency contact or a spouse of a debtor none of whose own
numbers works is passed on with the customer's hidden relay probability (0.5 x willingness),
and the debtor then gives a new, working mobile (contact source ``customer_update``), in the
portfolio from the next day.

These are the default world's assumptions; a ``sim_worlds.WorldSpec`` moves them (answer hours,
channel response, dead numbers, how offers and complaints work), applied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.planning.sim_worlds import DEFAULT, OFFER_ASK, WorldSpec

ZONES = np.array(["Asia/Shanghai", "Asia/Urumqi"])
HELP_OFFERS = ("installment", "extension", "hardship")


@dataclass
class World:
    """Hidden traits (numpy, by customer index) and the visible portfolio frames."""

    ability: np.ndarray
    willingness: np.ndarray
    answer: np.ndarray
    best_hour: np.ndarray
    sms_response: np.ndarray
    email_response: np.ndarray
    sensitivity: np.ndarray
    customers: pl.DataFrame
    points: pl.DataFrame  # + hidden columns: dead (bool), wrong (bool)
    accounts: pl.DataFrame  # balance_cents, past_due_cents, dpd, flags, due_date, ...
    spec: WorldSpec = DEFAULT


def make_world(n: int, start: date, seed: int, spec: WorldSpec = DEFAULT) -> World:
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    best = rng.choice(np.array(spec.best_hours), size=n, p=list(spec.best_hour_weights))
    zone = np.where(rng.random(n) < 0.06, ZONES[1], ZONES[0])
    pref = rng.random(n) < 0.25
    customers = pl.DataFrame({
        "customer_id": ids, "language": "zh", "zone": zone, "jurisdiction": "CN",
        "preferred_channel": pl.Series(np.where(rng.random(n) < 0.15, rng.choice(["call", "sms"], size=n), ""))
        .replace("", None),
        "pref_from": pl.Series(np.where(pref, best - 1, -1)).replace(-1, None).cast(pl.Int32),
        "pref_to": pl.Series(np.where(pref, best + 1, -1)).replace(-1, None).cast(pl.Int32),
    })
    points = _points(rng, ids, spec)
    dpd = _dpd(rng, n)
    limit = rng.choice([500_000, 1_000_000, 2_000_000, 5_000_000], size=n, p=[.3, .35, .25, .1])
    balance = (limit * rng.uniform(0.5, 1.05, n)).astype(np.int64)
    past_due = np.minimum((balance * 0.1).astype(np.int64) * np.ceil(dpd / 30).astype(np.int64), balance)
    draw = rng.random(n)
    flags = np.select([draw < 0.01, draw < 0.013, draw < 0.014, draw < 0.035, draw < 0.065],
                      ["dispute", "cease", "deceased", "installment_plan", "hardship"], default="")
    accounts = pl.DataFrame({
        "account_id": np.char.add("A", np.char.zfill(np.arange(1, n + 1).astype(str), 6)), "customer_id": ids,
        "due_date": [start + timedelta(days=int(d)) for d in rng.integers(1, 29, n)], "status": "open",
        "agency_id": pl.Series([None] * n, dtype=pl.Utf8),
        "flags": [[f] if f else [] for f in flags], "balance_cents": balance, "past_due_cents": past_due,
        "dpd": dpd.astype(np.int32),
    })
    return World(rng.beta(2.2, 2.0, n), rng.beta(2.5, 1.8, n), rng.beta(2.0, 2.5, n), best,
                 rng.beta(1.2, 10, n), rng.beta(1, 20, n), rng.beta(1, 60, n), customers, points, accounts, spec)


def _dpd(rng: np.random.Generator, n: int) -> np.ndarray:
    band = rng.choice(3, size=n, p=[.5, .3, .2])
    return np.select([band == 0, band == 1], [rng.integers(1, 31, n), rng.integers(31, 91, n)],
                     rng.integers(91, 361, n))


def _points(rng: np.random.Generator, ids: np.ndarray, spec: WorldSpec) -> pl.DataFrame:
    n = len(ids)
    listed_invalid = rng.random(n) < 0.06
    hidden_dead = ~listed_invalid & (rng.random(n) < spec.hidden_dead)
    wrong = ~listed_invalid & ~hidden_dead & (rng.random(n) < spec.wrong)
    listed = np.where(listed_invalid, "invalid", np.where(rng.random(n) < .7, "valid", "unknown"))
    parts = [pl.DataFrame({"customer_id": ids, "kind": "mobile", "owner": "debtor", "status": listed,
                           "dead": listed_invalid | hidden_dead, "wrong": wrong})]
    for kind, owner, share, dead in (("home", "debtor", .3, spec.home_dead), ("email", "debtor", .25, .05),
                                     ("mobile", "emergency_contact", .35, .05)):
        pick = rng.random(n) < share
        m = int(pick.sum())
        parts.append(pl.DataFrame({"customer_id": ids[pick], "kind": kind, "owner": owner, "status": "unknown",
                                   "dead": rng.random(m) < dead, "wrong": np.zeros(m, dtype=bool)}))
    points = pl.concat(parts).with_row_index("i").with_columns(
        (pl.lit("P") + (pl.col("i") + 1).cast(pl.Utf8).str.zfill(7)).alias("contact_point_id"))
    return points.with_columns(
        pl.when(pl.col("kind") == "email").then(pl.lit("u") + pl.col("contact_point_id") + pl.lit("@qq.com"))
        .otherwise(pl.lit("+86139") + pl.col("i").cast(pl.Utf8).str.zfill(8)).alias("value"),
        pl.lit(False).alias("consent"), pl.lit(False).alias("do_not_contact"), pl.lit("application").alias("source"),
    ).drop("i")


RELAY_OWNERS = ("emergency_contact", "spouse")


def lost_debtors(world: World) -> np.ndarray:
    """By customer index: none of the debtor's own phone numbers works (dead or not theirs)."""
    phones = world.points.filter((pl.col("owner") == "debtor") & pl.col("kind").is_in(["mobile", "home", "work"]))
    working = phones.filter(~pl.col("dead") & ~pl.col("wrong"))["customer_id"].str.slice(1).cast(pl.Int64) - 1
    lost = np.ones(len(world.ability), dtype=bool)
    lost[working.to_numpy()] = False
    return lost


def give_numbers(world: World, done: pl.DataFrame, serial: int) -> int:
    """The debtors who called back after a third party passed on the message: each gives a new,
    working mobile (source ``customer_update``). Returns how many."""
    if done.is_empty() or "gave_number" not in done.columns:
        return 0
    who = done.filter(pl.col("gave_number")).select("customer_id").unique(maintain_order=True)
    if who.is_empty():
        return 0
    n = who.height
    ids = [f"Q{serial + i:07d}" for i in range(n)]
    new = who.with_columns(
        pl.lit("mobile").alias("kind"), pl.lit("debtor").alias("owner"), pl.lit("valid").alias("status"),
        pl.lit(False).alias("dead"), pl.lit(False).alias("wrong"), pl.Series("contact_point_id", ids),
        pl.Series("value", [f"+86137{serial + i:08d}" for i in range(n)]), pl.lit(False).alias("consent"),
        pl.lit(False).alias("do_not_contact"), pl.lit("customer_update").alias("source"))
    world.points = pl.concat([world.points, new.select(world.points.columns)])
    return n


def simulate_attempts(world: World, attempts: pl.DataFrame, recent_counts: dict[str, int], day: date,
                      rng: np.random.Generator) -> pl.DataFrame:
    """What each attempt does. ``attempts``: customer_index, account_id, channel, contact_point_id,
    local_hour, offer. Returns the attempts with outcome columns."""
    k = attempts.height
    if k == 0:
        return attempts
    spec = world.spec
    pts = attempts.join(world.points.select("contact_point_id", "owner", "dead", "wrong"), on="contact_point_id",
                        how="left")
    c = pts["customer_index"].to_numpy()
    channel = pts["channel"].to_numpy()
    dead, wrong = pts["dead"].fill_null(True).to_numpy(), pts["wrong"].fill_null(False).to_numpy()
    third = (pts["owner"].to_numpy() != "debtor") | wrong
    answered = rng.random(k) < _answer_probability(world, c, pts["local_hour"].to_numpy())
    is_call = channel == "call"
    reached_debtor = is_call & ~dead & ~third & answered
    reached_third = is_call & ~dead & third & answered
    response = np.where(channel == "sms", world.sms_response[c] * spec.sms_factor,
                        world.email_response[c] * spec.email_factor) * (0.5 + world.willingness[c])
    message_hit = ~is_call & ~dead & ~third & (rng.random(k) < response)
    offer = pts["offer"].to_numpy()
    fits, amount, keep = _promise_terms(world, c, offer)
    p_promise = np.where(is_call, 0.25 + 0.5 * world.willingness[c] + 0.15 * fits, 1.0)
    promised = (reached_debtor | message_hit) & (rng.random(k) < p_promise)
    touches = np.array([recent_counts.get(a, 0) for a in pts["account_id"].to_list()])
    p_complaint = (world.sensitivity[c] * spec.complaint_factor * (1 + spec.touch_slope * touches) ** spec.touch_power
                   * np.where(is_call, 2.0, 0.5) + 0.03 * reached_third)
    stranger = np.where(wrong & spec.says_wrong_number, "wrong_number", "answered_other")
    outcome = np.where(is_call, np.where(dead, "not_in_service", np.where(
        answered, np.where(third, stranger, "conversation"), "no_answer")),
        np.where(dead, np.where(channel == "email", "bounced", "failed"), "delivered"))
    return pts.with_columns(
        pl.Series("outcome", outcome),
        pl.Series("party", np.where(reached_third, "third_party", np.where(reached_debtor, "debtor", "")))
        .replace("", None),
        pl.Series("rpc", reached_debtor), pl.Series("misdial", is_call & (dead | wrong)),
        pl.Series("third_party", reached_third), pl.Series("complaint", rng.random(k) < p_complaint),
        pl.Series("promise_cents", np.where(promised, np.maximum(amount, 100), 0)),
        pl.Series("promise_day", [day + timedelta(days=int(d)) for d in rng.integers(1, 6, k)]),
        pl.Series("keep", rng.random(k) < keep),
        pl.Series("gave_number", reached_third & np.isin(pts["owner"].to_numpy(), RELAY_OWNERS)
                  & lost_debtors(world)[c] & (rng.random(k) < 0.5 * world.willingness[c])),
    )


def _answer_probability(world: World, c: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """P(someone answers a call to customer ``c`` at local ``hour``): the customer's rate x the
    world's factor, higher within an hour of the customer's best hour, x the world's hour profile."""
    spec = world.spec
    near = np.abs(hour - world.best_hour[c]) <= 1
    profile = np.array(spec.hour_profile)[hour]
    return np.clip(world.answer[c] * spec.answer_factor * np.where(near, spec.near_factor, spec.far_factor)
                   * profile, 0.02, 0.95)


def _promise_terms(world: World, c: np.ndarray, offer: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per attempt: whether the offer fits the customer, the amount a promise would be for (cents)
    and P(the promise is kept), by the world's ``offer_rule``."""
    w, a = world.willingness[c], world.ability[c]
    balance = world.accounts["balance_cents"].to_numpy()[c]
    past_due = world.accounts["past_due_cents"].to_numpy()[c]
    full_keep = w * a * a * world.spec.full_keep_factor
    if world.spec.offer_rule == "affordability":
        ask = np.array([OFFER_ASK.get(o, 1.0) for o in offer.tolist()])
        fits = ask <= a * world.spec.afford_factor
        return fits, (past_due * ask).astype(np.int64), np.where(fits, 0.85 * w, full_keep)
    fits = _offer_fits(world, c, offer)
    amount = np.where(fits & (offer == "settlement"), (balance * 0.4).astype(np.int64),
                      np.where(fits, (past_due * np.maximum(a, 0.35)).astype(np.int64), past_due))
    settle = 0.35 + 0.3 * w
    return fits, amount, np.where(fits & (offer == "settlement"), settle, np.where(fits, 0.85 * w, full_keep))


def _offer_fits(world: World, c: np.ndarray, offer: np.ndarray) -> np.ndarray:
    unable = world.ability[c] < 0.5
    unwilling = world.willingness[c] < 0.5
    helps = np.isin(offer, HELP_OFFERS) & unable
    settles = (offer == "settlement") & unable & unwilling
    return helps | settles
