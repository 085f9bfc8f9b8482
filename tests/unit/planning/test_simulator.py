"""The simulator: same world for every strategy; ours stays within the gate, naive does not."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from arrears.planning.gate_requests import default_gate
from arrears.planning.simulator import METRICS, SimConfig, charts, simulate, summary
from arrears.planning.strategy import load_strategy


@pytest.fixture(scope="module")
def daily() -> pl.DataFrame:
    cfg = SimConfig(customers=400, days=4, warmup_days=7, seed=5)
    return simulate({"naive": None, "default": load_strategy("default")}, cfg, default_gate())


def test_every_strategy_reports_every_metric_for_every_day(daily):
    assert daily.group_by("strategy").len()["len"].to_list() == [4, 4]
    assert set(METRICS) <= set(daily.columns)


def test_the_optimised_plan_has_no_violations_and_the_naive_baseline_has_some(daily):
    totals = {row["strategy"]: row for row in summary(daily).iter_rows(named=True)}
    assert totals["default"]["violations"] == 0
    assert totals["naive"]["violations"] > 0


def test_the_optimised_plan_misdials_and_reaches_third_parties_less(daily):
    totals = {row["strategy"]: row for row in summary(daily).iter_rows(named=True)}
    assert totals["default"]["misdials"] < totals["naive"]["misdials"]
    assert totals["default"]["third_party"] < totals["naive"]["third_party"]
    assert totals["default"]["rpc_rate"] > totals["naive"]["rpc_rate"]


def test_the_same_seed_gives_the_same_simulation(daily):
    again = simulate({"naive": None, "default": load_strategy("default")},
                     SimConfig(customers=400, days=4, warmup_days=7, seed=5), default_gate())
    assert again.equals(daily)


def test_a_chart_is_drawn_per_metric(daily, tmp_path: Path):
    paths = charts(daily, tmp_path)
    assert {p.stem for p in paths} == {*METRICS, "rpc_rate"}
    assert all(p.stat().st_size > 1000 for p in paths)
