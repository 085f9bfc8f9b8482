"""A strategy with ``models.response`` values its contacts with the response models: fitted from
the portfolio's history by the plan itself, or the rates a nightly run stored; every planned row and
the run's summary say which rates were used. Without the switch nothing changes."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl
import pytest

from arrears.planning import response_model as rm
from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy

CALL_WORDS = re.compile(r"P\(promise \| reached\) ([\d.]+)% × P\(kept \| promise\) ([\d.]+)%")


def _with_response(level: str = "judgement"):  # type: ignore[no-untyped-def]
    strategy = load_strategy("default")
    return strategy.model_copy(update={"models": strategy.models.model_copy(update={"response": True}),
                                       "response_level": level})


@pytest.fixture(scope="module")
def fitted(portfolio) -> rm.ResponseRates:  # type: ignore[no-untyped-def]
    return rm.plan_fit(portfolio)


def test_each_planned_call_says_the_fitted_rates_of_its_segment_and_the_summary_where_they_came_from(
        portfolio, capacity, fitted) -> None:  # type: ignore[no-untyped-def]
    result = make_plan(portfolio, capacity, Split(_with_response()), default_gate())
    assert "fitted from the portfolio's history of 2026-11-29" in result.stats.response
    factor = result.stats.response_factors[0]
    assert factor is not None and factor > 1  # the judgement's propensity is above P(promise and keep)
    rates = rm.respond(fitted).filter(pl.col("channel") == "call")
    expected = {s: (round(p * 100, 1), round(k * 100, 1)) for s, p, k in
                rates.select("segment", "p_promise", "p_keep").iter_rows()}
    calls = result.attempts.filter(pl.col("channel") == "call").join(
        result.plan.select("account_id", "channel", "contact_point_id", "reason"),
        on=["account_id", "channel", "contact_point_id"])
    assert calls.height > 100
    for segment, reason in calls.select("segment", "reason").iter_rows():
        found = CALL_WORDS.search(reason)
        assert found and (float(found[1]), float(found[2])) == expected[segment], reason
        assert f"valued ×{round(factor, 2)} to the judgement's level" in reason


def test_taken_at_face_value_the_rates_make_every_call_worth_less_and_fewer_are_planned(
        portfolio, capacity) -> None:  # type: ignore[no-untyped-def]
    judgement = make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate())
    face = make_plan(portfolio, capacity, Split(_with_response("fitted")), default_gate())
    assert face.stats.response_factors == {0: 1.0}
    assert "judgement's level" not in " ".join(face.plan["reason"].to_list())
    calls = {name: r.attempts.filter(pl.col("channel") == "call") for name, r in
             (("judgement", judgement), ("face", face))}
    assert calls["face"]["value"].median() < calls["judgement"]["value"].median() / 2
    assert not any("P(promise" in r for r in judgement.plan["reason"].to_list())
    assert judgement.stats.response == "" and judgement.stats.response_factors == {}


def test_the_rates_a_nightly_run_stored_are_used_instead_of_a_fit_and_the_rows_say_so(
        portfolio, capacity, fitted) -> None:  # type: ignore[no-untyped-def]
    table = fitted.table.with_columns(pl.when(pl.col("kind") == "promise").then(0.5).otherwise(pl.col("rate"))
                                      .alias("rate"))
    stored = replace(fitted, source="nightly", table=table, fitted_on=portfolio.as_of.replace(day=28))
    result = make_plan(portfolio, capacity, Split(_with_response()), default_gate(), response=stored)
    assert "nightly refit of 2026-11-28" in result.stats.response
    calls = [r for r in result.plan.filter(pl.col("channel") == "call")["reason"].to_list() if "P(promise" in r]
    assert calls and all("P(promise | reached) 50.0%" in r and "nightly refit of 2026-11-28" in r for r in calls)


def test_a_kind_with_too_little_history_keeps_the_judgement_and_the_rows_say_so(
        portfolio, capacity) -> None:  # type: ignore[no-untyped-def]
    thin = replace(portfolio, contacts=portfolio.contacts.head(200), payments=portfolio.payments.head(0))
    rates = rm.plan_fit(thin)
    assert not rates.used("keep")
    result = make_plan(portfolio, capacity, Split(_with_response()), default_gate(), response=rates)
    assert result.stats.response_factors == {0: None}
    reasons = result.plan["reason"].to_list()
    assert reasons and all("response: judgement (too little history" in r for r in reasons)
