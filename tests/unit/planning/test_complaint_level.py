"""The complaint level: the history's complaints against what the strategy's rates predict for the
same attempts, and the plan's disturbance prices times it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from arrears.planning.complaint_level import complaint_level
from arrears.planning.frames import Portfolio
from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.simulator import CONTACT_SCHEMA
from arrears.planning.strategy import ComplaintLevel, Split, load_strategy

DAY = date(2026, 12, 7)
RULE = ComplaintLevel(rates={"call": 0.1, "sms": 0.05}, days=30, weight=10, floor=0.05)


def _history(rows: list[dict]) -> Portfolio:
    """A portfolio of only what the level reads: the contacts and whose numbers they went to."""
    contacts = pl.DataFrame([{"contact_id": f"K{i}", "customer_id": "C" + r["account_id"][1:], "direction": "outbound",
                              "channel": "call", "contact_point_id": "P" + r["account_id"][1:], "complaint": False,
                              **r} for i, r in enumerate(rows)], schema=CONTACT_SCHEMA)
    own = contacts.select(pl.col("contact_point_id").unique()).filter(~pl.col("contact_point_id").str.starts_with("T"))
    points = pl.concat([own.with_columns(pl.lit("debtor").alias("owner")),
                        pl.DataFrame({"contact_point_id": ["T1"], "owner": ["emergency_contact"]})])
    return Portfolio(DAY, pl.DataFrame(), points, pl.DataFrame(), contacts, pl.DataFrame(), pl.DataFrame())


def _at(days_ago: int, hour: int = 10) -> datetime:
    day = DAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _single_calls(n: int, complaints: int) -> list[dict]:
    """``n`` accounts called once each (no other contact that week), ``complaints`` of them complained."""
    return [{"account_id": f"A{i}", "at": _at(1 + i % 20), "complaint": i < complaints} for i in range(n)]


def test_debtors_who_complain_at_the_strategys_rates_leave_its_prices_as_they_are():
    level = complaint_level(_history(_single_calls(200, 20)), RULE)  # 200 x 0.1 = 20 expected
    assert (level.complaints, level.expected, level.attempts) == (20, pytest.approx(20.0), 200)
    assert level.level == pytest.approx(1.0)


def test_debtors_who_complain_a_tenth_as_often_make_disturbance_cheaper_shrunk_toward_one():
    level = complaint_level(_history(_single_calls(2000, 20)), RULE)  # 200 expected
    assert level.level == pytest.approx((20 + 10) / (200 + 10))


def test_debtors_who_complain_more_than_assumed_make_disturbance_dearer():
    assert complaint_level(_history(_single_calls(200, 60)), RULE).level == pytest.approx(70 / 30)


def test_each_earlier_contact_that_week_adds_one_more_rate_to_what_is_expected():
    rows = [{"account_id": "A1", "at": _at(d)} for d in (3, 2, 1)] + [  # touches 0, 1, 2
        {"account_id": "A2", "at": _at(10), "channel": "sms"}, {"account_id": "A2", "at": _at(1)}]  # 9 days apart
    level = complaint_level(_history(rows), RULE)
    assert level.expected == pytest.approx(0.1 * (1 + 2 + 3) + 0.05 + 0.1)


def test_third_party_calls_and_attempts_outside_the_window_do_not_count():
    rows = [*_single_calls(100, 10),
            {"account_id": "A1", "at": _at(2), "contact_point_id": "T1", "complaint": True},
            {"account_id": "A3", "at": _at(45), "complaint": True},
            {"account_id": "A4", "at": _at(0), "complaint": True}]  # the plan's day itself: not yet history
    level = complaint_level(_history(rows), RULE)
    assert (level.complaints, level.attempts) == (10, 100)


def test_a_debtor_who_calls_in_to_complain_adds_a_complaint_but_no_attempt():
    rows = [*_single_calls(100, 10), {"account_id": "A2", "at": _at(2), "direction": "inbound", "complaint": True},
            {"account_id": "A5", "at": _at(3), "direction": "inbound"}]
    level = complaint_level(_history(rows), RULE)
    assert (level.complaints, level.attempts, level.expected) == (11, 100, pytest.approx(10.0))


def test_a_history_with_no_complaint_recorded_says_nothing_and_the_level_stays_one():
    rows = [{"account_id": f"A{i}", "at": _at(2), "complaint": None} for i in range(50)]
    assert complaint_level(_history(rows), RULE).level == 1.0
    assert complaint_level(_history([]), RULE).level == 1.0


def test_a_window_without_an_attempt_it_can_judge_says_nothing_even_without_shrinkage():
    unshrunk = RULE.model_copy(update={"weight": 0.0})
    only_letters = [{"account_id": f"A{i}", "at": _at(2), "channel": "letter", "complaint": i == 0} for i in range(9)]
    only_before = [{"account_id": "A1", "at": _at(33), "complaint": True}]  # in the touches' week, not the window
    assert complaint_level(_history(only_letters), unshrunk).level == 1.0
    assert complaint_level(_history(only_before), unshrunk).level == 1.0


def test_the_level_never_falls_below_the_floor():
    assert complaint_level(_history(_single_calls(5000, 0)), RULE).level == 0.05


def test_the_plan_makes_more_contacts_where_debtors_rarely_complain_and_says_the_level(portfolio, capacity):
    strategy = load_strategy("default").model_copy(update={"complaints": ComplaintLevel(
        rates={"call": 0.01, "sms": 0.005, "email": 0.002, "letter": 0.005}, weight=1)})
    days_ago = (pl.lit(portfolio.as_of) - pl.col("at").dt.date()).dt.total_days()

    def plan(complaint: pl.Expr):
        contacts = portfolio.contacts.with_columns(complaint.alias("complaint"))
        return make_plan(replace(portfolio, contacts=contacts), capacity, Split(strategy), default_gate())

    calm = plan(pl.lit(False))
    touchy = plan(days_ago % 3 == 0)  # a complaint on every third day's contacts: far above the rates
    assert calm.stats.complaint_levels[strategy.label].level == 0.05
    assert touchy.stats.complaint_levels[strategy.label].level > 3
    assert calm.plan.height > touchy.plan.height
