"""The response models (promise given a right-party call, keep given a promise, a payment after a
message) learn per segment from the ledger, shrink sparse segments to the population, keep the
judgement without enough history, and are checked on a later period."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from arrears.planning import response_model as rm
from arrears.planning.response_calibration import holdout

AS_OF = date(2026, 11, 29)
CONTACT_SCHEMA = {"account_id": pl.Utf8, "channel": pl.Utf8, "direction": pl.Utf8, "at": pl.Datetime("us", "UTC"),
                  "outcome": pl.Utf8, "party": pl.Utf8, "promise_cents": pl.Int64, "promise_date": pl.Date}
PAYMENT_SCHEMA = {"account_id": pl.Utf8, "paid_at": pl.Datetime("us", "UTC"), "amount_cents": pl.Int64,
                  "reversed": pl.Boolean}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _contacts(rows: list[dict]) -> pl.DataFrame:
    defaults = {"direction": "outbound", "party": "debtor", "promise_cents": None, "promise_date": None}
    return pl.DataFrame([{**defaults, **r} for r in rows], schema=CONTACT_SCHEMA, orient="row")


def _payments(rows: list[tuple[str, datetime, int, bool]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PAYMENT_SCHEMA, orient="row")


def _calls(prefix: str, segment: str, n: int, promised: int, day: date) -> tuple[list[dict], list[tuple[str, str]]]:
    """``n`` right-party calls to ``n`` accounts of ``segment``, the first ``promised`` with a promise."""
    rows, segments = [], []
    for i in range(n):
        account = f"{prefix}{i}"
        rows.append({"account_id": account, "channel": "call", "at": _at(day), "outcome": "conversation",
                     "promise_cents": 10_000 if i < promised else None,
                     "promise_date": day + timedelta(days=2) if i < promised else None})
        segments.append((account, segment))
    return rows, segments


def _segments(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(pairs, schema={"account_id": pl.Utf8, "segment": pl.Utf8}, orient="row")


def _rate(rates: rm.ResponseRates, kind: str, segment: str, channel: str = "call") -> float:
    row = rates.table.filter((pl.col("kind") == kind) & (pl.col("segment") == segment)
                             & (pl.col("channel") == channel))
    return float(row["rate"][0])


def _fit_promises(sparse: int, sparse_promised: int) -> rm.ResponseRates:
    day = AS_OF - timedelta(days=20)
    big, big_seg = _calls("W", "able_willing", 1000, 300, day)
    small, small_seg = _calls("U", "unable_unwilling", sparse, sparse_promised, day)
    return rm.fit(_contacts(big + small), _payments([]), _segments(big_seg + small_seg), AS_OF, since=day)


def test_a_sparse_segment_is_pulled_to_the_population_rate() -> None:
    rates = _fit_promises(sparse=4, sparse_promised=4)  # 4 of 4 promised: its own rate would be 100%
    population = float(rates.table.filter(pl.col("kind") == "promise")["population"][0])
    sparse = _rate(rates, "promise", "unable_unwilling")
    assert population == pytest.approx((304 + 1) / (1004 + 2))
    assert sparse == pytest.approx((4 + rm.PRIOR_STRENGTH["promise"] * population) / (4 + rm.PRIOR_STRENGTH["promise"]))
    assert population < sparse < population + 0.1  # much nearer the population's 30% than its own 100%
    assert _rate(rates, "promise", "willing_unable") == pytest.approx(population)  # no events: the population's


def test_a_segment_with_much_evidence_keeps_its_own_rate() -> None:
    rates = _fit_promises(sparse=2000, sparse_promised=200)  # 10% against the other segment's 30%
    population = float(rates.table.filter(pl.col("kind") == "promise")["population"][0])
    assert population == pytest.approx(0.1666, abs=0.001)
    assert _rate(rates, "promise", "unable_unwilling") == pytest.approx(0.10, abs=0.002)
    assert _rate(rates, "promise", "able_willing") == pytest.approx(0.30, abs=0.01)


def test_a_promise_is_kept_when_payments_by_its_date_and_grace_cover_it() -> None:
    day = AS_OF - timedelta(days=10)
    due = day + timedelta(days=2)
    promise = {"channel": "call", "at": _at(day), "outcome": "conversation", "promise_cents": 10_000,
               "promise_date": due}
    contacts = _contacts([{**promise, "account_id": a} for a in ("KEPT", "SPLIT", "LATE", "SHORT", "REVERSED")]
                         + [{**promise, "account_id": "OPEN", "at": _at(AS_OF - timedelta(days=2)),
                             "promise_date": AS_OF}])
    grace_end = due + timedelta(days=rm.KEEP_GRACE_DAYS)
    payments = _payments([("KEPT", _at(due), 10_000, False), ("SPLIT", _at(day, 12), 4_000, False),
                          ("SPLIT", _at(grace_end, 9), 6_000, False), ("LATE", _at(grace_end + timedelta(days=1)),
                                                                       10_000, False),
                          ("SHORT", _at(due), 9_999, False), ("REVERSED", _at(due), 10_000, True),
                          ("OPEN", _at(AS_OF - timedelta(days=1)), 10_000, False)])
    found = rm.keep_events(contacts, payments, AS_OF)
    kept = dict(zip(found["account_id"], found["hit"], strict=True))
    assert kept == {"KEPT": 1.0, "SPLIT": 1.0, "LATE": 0.0, "SHORT": 0.0, "REVERSED": 0.0}  # OPEN is not due yet


def test_a_payment_after_a_message_is_the_messages_unless_a_conversation_came_first() -> None:
    day = AS_OF - timedelta(days=10)
    sms = {"channel": "sms", "at": _at(day), "outcome": "delivered"}
    contacts = _contacts([{**sms, "account_id": a} for a in ("PAID", "TALKED", "LATE", "NONE")]
                         + [{"account_id": "TALKED", "channel": "call", "at": _at(day + timedelta(days=1)),
                             "outcome": "conversation"},
                            {**sms, "account_id": "RECENT", "at": _at(AS_OF - timedelta(days=3))},
                            {**sms, "account_id": "FAILED", "outcome": "failed"}])
    payments = _payments([("PAID", _at(day + timedelta(days=3)), 5_000, False),
                          ("TALKED", _at(day + timedelta(days=2)), 5_000, False),
                          ("LATE", _at(day + timedelta(days=rm.CURE_DAYS), 11), 5_000, False)])
    found = rm.cure_events(contacts, payments, AS_OF)
    cured = dict(zip(found["account_id"], found["hit"], strict=True))
    assert cured == {"PAID": 1.0, "TALKED": 0.0, "LATE": 0.0, "NONE": 0.0}  # RECENT: its days are not over


def test_with_too_little_history_the_judgement_stays_and_the_value_is_the_judgements() -> None:
    calls, pairs = _calls("W", "able_willing", 1000, 300, AS_OF - timedelta(days=1))  # no promise due yet
    rates = rm.fit(_contacts(calls), _payments([]), _segments(pairs), AS_OF, since=AS_OF - timedelta(days=30))
    assert rates.used("promise") and not rates.used("keep") and not rates.used("cure", "sms")
    assert rm.respond(rates).is_empty()  # a call needs both promise and keep
    acts = pl.DataFrame({"segment": ["able_willing"], "channel": ["call"], "propensity": [0.5],
                         "past_due_cents": [100_000], "offer_effect": [1.5]})
    table, factor = rm.for_accounts(rm.respond(rates), acts)
    worth = rm.fitted_worth(acts, table, pl.lit(0.25))
    assert worth["base"][0] == pytest.approx(0.5 * 1000 * 1.5) and worth["persuasion"][0] == 0.25 and factor == 1.0
    assert "judgement kept" in rates.summary()


def _fitted_rates() -> rm.ResponseRates:
    table = rm.rates_of(pl.DataFrame({
        "kind": ["promise"] * 4 + ["keep"] * 4 + ["cure"] * 2, "channel": ["call"] * 8 + ["sms"] * 2,
        "account_id": [f"A{i}" for i in range(10)], "at": [_at(AS_OF)] * 10,
        "hit": [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        "segment": ["able_willing", "able_willing", "willing_unable", "willing_unable"] * 2 + ["able_willing"] * 2}))
    return rm.ResponseRates(AS_OF, "history", table.with_columns(pl.lit(True).alias("used")))


def test_the_judgement_level_scales_the_fitted_rates_to_the_propensitys_mean_and_lift_ranks_within_a_segment() -> None:
    rates = _fitted_rates()
    accounts = pl.DataFrame({"segment": ["able_willing", "able_willing", "willing_unable"],
                             "propensity": [0.2, 0.6, 0.4]})
    calls = rm.respond(rates).filter(pl.col("channel") == "call")
    fitted = {s: p for s, p in calls.select("segment", "p_respond").iter_rows()}
    table, factor = rm.for_accounts(rm.respond(rates), accounts)
    expected = 0.4 / ((2 * fitted["able_willing"] + fitted["willing_unable"]) / 3)
    assert factor == pytest.approx(expected)
    acts = accounts.with_columns(pl.lit("call").alias("channel"), pl.lit(100_00).alias("past_due_cents"),
                                 pl.lit(1.0).alias("offer_effect"))
    base = rm.fitted_worth(acts, table, pl.lit(1.0))["base"].to_list()
    assert base[0] == pytest.approx(fitted["able_willing"] * factor * (0.2 / 0.4) * 100)  # lift: 0.2 over 0.4
    assert base[1] == pytest.approx(3 * base[0])
    assert sum(base) / 3 == pytest.approx(100 * 0.4 * (fitted["able_willing"] * 2 * 0.4 / 0.4 + fitted[
        "willing_unable"]) / (2 * fitted["able_willing"] + fitted["willing_unable"]))
    _, face = rm.for_accounts(rm.respond(rates), accounts, level="fitted")
    assert face == 1.0


def test_the_rates_survive_the_round_trip_through_json() -> None:
    rates = _fitted_rates()
    back = rm.ResponseRates.from_dict(json.loads(json.dumps(rates.as_dict())), source="nightly")
    assert back.table.equals(rates.table) and back.fitted_on == AS_OF and back.source == "nightly"


def test_the_held_back_check_counts_every_matured_event_once_and_the_segments_beat_the_population() -> None:
    rows, pairs = [], []
    for week in range(8):  # two segments, 25% and 60% of right-party calls promise, every week
        day = AS_OF - timedelta(days=7 * (8 - week))
        for segment, share in (("able_willing", 0.6), ("unable_unwilling", 0.25)):
            calls, seg = _calls(f"{segment[:2]}{week}-", segment, 100, int(100 * share), day)
            rows += [{**r, "promise_date": None, "promise_cents": r["promise_cents"]} for r in calls]
            pairs += seg
    contacts, segments = _contacts(rows), _segments(pairs)
    split = AS_OF - timedelta(days=21)
    check = holdout(contacts, _payments([]), segments, since=AS_OF - timedelta(days=56), split=split, as_of=AS_OF)
    promise = check.scores.filter(pl.col("kind") == "promise").row(0, named=True)
    held = contacts.filter(pl.col("at").dt.date() >= split).height
    table = check.reliability.filter(pl.col("kind") == "promise")
    assert promise["events"] == held == table["events"].sum() == 600
    assert (table["events"] * table["observed"]).sum() == pytest.approx(3 * 85)
    assert promise["brier"] < promise["brier_population"]
    assert (table["predicted"] - table["observed"]).abs().max() < 0.02


def test_the_segments_an_event_counts_in_are_made_from_the_history_before_the_window() -> None:
    from arrears.planning.frames import Portfolio
    from arrears.planning.segmenter import as_it_stood

    since = AS_OF - timedelta(days=30)
    accounts = pl.DataFrame({"account_id": ["OLD", "CURED", "NEW"], "dpd": [100, 0, 10],
                             "past_due_cents": [50_000, 0, 20_000], "flags": [[], [], []]},
                            schema={"account_id": pl.Utf8, "dpd": pl.Int32, "past_due_cents": pl.Int64,
                                    "flags": pl.List(pl.Utf8)})
    contacts = _contacts([{"account_id": "CURED", "channel": "call", "at": _at(since - timedelta(days=3)),
                           "outcome": "conversation"},
                          {"account_id": "CURED", "channel": "call", "at": _at(since + timedelta(days=3)),
                           "outcome": "conversation", "promise_cents": 30_000,
                           "promise_date": since + timedelta(days=5)}])
    payments = _payments([("CURED", _at(since + timedelta(days=5)), 30_000, False),
                          ("OLD", _at(since - timedelta(days=1)), 1_000, False)])
    then = as_it_stood(Portfolio(AS_OF, pl.DataFrame(), pl.DataFrame(), accounts, contacts, payments, pl.DataFrame()),
                       since)
    rows = {r["account_id"]: (r["dpd"], r["past_due_cents"]) for r in then.accounts.iter_rows(named=True)}
    assert rows == {"OLD": (70, 50_000), "CURED": (70, 30_000), "NEW": (0, 20_000)}  # CURED: the median of the behind
    assert then.as_of == since and then.contacts.height == 1 and then.payments["account_id"].to_list() == ["OLD"]
