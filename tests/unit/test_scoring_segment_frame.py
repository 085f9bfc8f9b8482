"""The set-based scorecard gives exactly the scores, segments and reasons of the row-by-row one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from arrears.entrypoints.cli.score_cli import read_portfolio
from arrears.scoring.features import compute_features
from arrears.scoring.segments import Thresholds, assess, assess_detailed, assess_row, is_delinquent

AS_OF = date(2026, 11, 29)


def _row_by_row(features: pl.DataFrame, thresholds: Thresholds) -> list[tuple]:
    rows = features.filter(is_delinquent()).iter_rows(named=True)
    return [(a.account_id, a.ability, a.willingness, a.propensity, str(a.segment), *a.reasons)
            for a in (assess_row(r, thresholds) for r in rows)]


@pytest.fixture(scope="module")
def demo_features(small_demo: Path) -> pl.DataFrame:
    frames = read_portfolio(small_demo, AS_OF)
    return compute_features(frames.pop("accounts"), as_of=AS_OF, **frames)


@pytest.mark.parametrize("thresholds", [Thresholds(), Thresholds(0.4, 0.6)])
def test_the_set_based_scorecard_matches_the_row_by_row_one_on_a_demo_portfolio(demo_features, thresholds) -> None:
    expected = _row_by_row(demo_features, thresholds)
    got = list(assess(demo_features, thresholds).iter_rows())
    assert len(expected) > 50
    assert got == expected


def test_each_reason_carries_its_code_and_both_wordings(demo_features) -> None:
    out = assess_detailed(demo_features)
    for k in (1, 2, 3):
        rebuilt = out.select(pl.format("{}: {} / {}", f"reason_{k}_code", f"reason_{k}_zh", f"reason_{k}_en"))
        assert rebuilt.to_series().to_list() == out[f"reason_{k}"].to_list()


def test_unknown_and_missing_inputs_are_scored_as_the_row_by_row_scorecard_does() -> None:
    frame = pl.DataFrame({"account_id": ["A1", "A2"], "dpd": [5, 40], "past_due_amount": [1.0, 2.0],
                          "days_since_last_payment": [30, None], "utilisation": [float("nan"), 1.3],
                          "hardship": [None, True]})
    assert list(assess(frame).iter_rows()) == _row_by_row(frame, Thresholds())


def test_a_model_propensity_replaces_the_geometric_mean_row_by_row() -> None:
    frame = pl.DataFrame({"account_id": ["A1", "A2"], "dpd": [5, 40], "past_due_amount": [1.0, 2.0]})
    out = assess(frame, propensity=pl.Series([0.123456, 0.9]))
    assert out["propensity"].to_list() == [0.1235, 0.9]


def test_refitted_ability_weights_are_the_ones_the_ability_score_is_weighed_with(demo_features) -> None:
    from arrears.scoring.segment_frame import ability_components, sub_scores

    only_hardship = {"income_to_min_payment": 0.0, "income_to_balance": 0.0, "utilisation": 0.0,
                     "payment_to_min_ratio": 0.0, "hardship": 1.0}
    out = assess_detailed(demo_features, ability_weights=only_hardship)
    parts = sub_scores(demo_features.filter(is_delinquent()), ability_components)
    assert out["ability"].to_list() == parts["hardship"].round(4).to_list()
    assert out["willingness"].to_list() == assess_detailed(demo_features)["willingness"].to_list()
    assert out["ability"].to_list() != assess_detailed(demo_features)["ability"].to_list()
