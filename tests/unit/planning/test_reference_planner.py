"""The simple reference planner: lawful, never on a number known bad, one call a customer a day;
and the simulator's count of attempts to numbers known bad."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from arrears.planning.contact_model import DEAD_OUTCOMES
from arrears.planning.gate_requests import default_gate
from arrears.planning.reference import reference_plan
from arrears.planning.sim_worlds import world
from arrears.planning.simulator import SimConfig, _start_state, simulate, summary

CFG = SimConfig(customers=300, days=4, warmup_days=7, seed=9, world=world("dead_numbers"))


@pytest.fixture(scope="module")
def totals() -> dict[str, dict]:
    daily = simulate({"naive": None, "reference": None}, CFG, default_gate())
    return {row["strategy"]: row for row in summary(daily).iter_rows(named=True)}


def test_the_reference_planner_makes_no_violations_and_never_dials_a_number_known_bad(totals):
    assert totals["reference"]["violations"] == 0
    assert totals["reference"]["known_bad"] == 0
    assert totals["reference"]["calls"] > 0 and totals["reference"]["sms"] > 0


def test_the_naive_baseline_dials_numbers_known_bad_and_the_simulator_counts_them(totals):
    assert totals["naive"]["known_bad"] > 0
    assert totals["naive"]["known_bad"] <= totals["naive"]["calls"]


def test_a_reference_plan_calls_each_customer_at_most_once_within_the_capacity_and_rests_the_reached():
    state = _start_state(CFG)
    day = CFG.start
    portfolio = state.portfolio(day)
    capacity = CFG.capacity()
    plan = reference_plan(portfolio, capacity, default_gate())
    calls = plan.filter(pl.col("channel") == "call")
    assert calls["customer_id"].is_unique().all()
    assert plan.select("customer_id", "channel").is_unique().all()
    per_hour = calls.group_by(pl.col("at_utc").dt.convert_time_zone(capacity.zone).dt.hour()).len()
    assert per_hour["len"].max() <= capacity.per_hour("call", 10)
    assert plan.filter(pl.col("channel") == "sms").height <= capacity.daily["sms"]
    bad = portfolio.contacts.filter(pl.col("outcome").is_in(DEAD_OUTCOMES))["contact_point_id"]
    assert bad.len() > 0 and not plan["contact_point_id"].is_in(bad.implode()).any()
    reached = portfolio.contacts.filter((pl.col("outcome") == "conversation")
                                        & (pl.col("at").dt.date() >= day - timedelta(days=3)))
    assert reached.height > 0
    assert not plan["customer_id"].is_in(reached["customer_id"].implode()).any()
    assert set(plan["offer"]) == {"none"}
