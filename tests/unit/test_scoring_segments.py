"""Ability x willingness scores, the four segments and their reasons."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from arrears.scoring.features import compute_features
from arrears.scoring.segments import (
    ABILITY,
    WILLINGNESS,
    Segment,
    Thresholds,
    assess,
    assess_row,
    segment_of,
)

STRONG_ABILITY = {"income_to_min_payment": 20.0, "income_to_balance": 1.0, "utilisation": 0.3,
                  "payment_to_min_ratio": 1.0, "hardship": False}
WEAK_ABILITY = {"income_to_min_payment": 0.0, "income_to_balance": 0.0, "utilisation": 1.3,
                "payment_to_min_ratio": 0.0, "hardship": True}
STRONG_WILL = {"promises_kept": 3, "promises_broken": 0, "right_party_rate": 0.8,
               "inbound_contacts": 2, "days_since_last_payment": 10, "refusals": 0,
               "invalid_numbers": 0}
WEAK_WILL = {"promises_kept": 0, "promises_broken": 3, "right_party_rate": 0.0,
             "inbound_contacts": 0, "days_since_last_payment": None, "refusals": 2,
             "invalid_numbers": 3}


def _row(ability: dict, will: dict) -> dict:
    return {"account_id": "A1", **ability, **will}


def test_the_weights_of_each_score_add_up_to_one() -> None:
    assert sum(w for _, w, _ in ABILITY) == pytest.approx(1.0)
    assert sum(w for _, w, _ in WILLINGNESS) == pytest.approx(1.0)


@pytest.mark.parametrize(("ability", "will", "segment"), [
    (STRONG_ABILITY, STRONG_WILL, Segment.ABLE_WILLING),
    (STRONG_ABILITY, WEAK_WILL, Segment.ABLE_UNWILLING),
    (WEAK_ABILITY, STRONG_WILL, Segment.WILLING_UNABLE),
    (WEAK_ABILITY, WEAK_WILL, Segment.UNABLE_UNWILLING),
])
def test_each_quadrant_is_reached(ability, will, segment) -> None:
    result = assess_row(_row(ability, will), Thresholds())
    assert result.segment is segment


def test_the_strongest_and_weakest_accounts_score_one_and_zero() -> None:
    best = assess_row(_row(STRONG_ABILITY, STRONG_WILL), Thresholds())
    worst = assess_row(_row(WEAK_ABILITY, WEAK_WILL), Thresholds())
    assert (best.ability, best.willingness, best.propensity) == (1.0, 1.0, 1.0)
    assert (worst.ability, worst.willingness, worst.propensity) == (0.0, 0.0, 0.0)


def test_a_score_on_the_threshold_counts_as_able() -> None:
    assert segment_of(0.5, 0.49, Thresholds()) is Segment.ABLE_UNWILLING
    assert segment_of(0.49, 0.5, Thresholds()) is Segment.WILLING_UNABLE


def test_thresholds_are_configurable() -> None:
    assert segment_of(0.6, 0.6, Thresholds(ability=0.7)) is Segment.WILLING_UNABLE
    assert segment_of(0.6, 0.6, Thresholds(willingness=0.7)) is Segment.ABLE_UNWILLING


def test_unknown_inputs_are_neutral() -> None:
    result = assess_row({"account_id": "A1", "days_since_last_payment": 30}, Thresholds())
    assert result.ability == pytest.approx(0.5 * 0.85 + 0.15)


def test_reasons_name_what_moved_the_score_most_in_chinese_and_english() -> None:
    result = assess_row(_row(STRONG_ABILITY, WEAK_WILL), Thresholds())
    assert result.reasons[0] == "promise_kept_ratio: 承诺履约0/3 / kept 0 of 3 promises"
    assert len(result.reasons) == 3
    assert all(" / " in r for r in result.reasons)


def test_a_trained_propensity_replaces_the_geometric_mean() -> None:
    assert assess_row(_row(STRONG_ABILITY, WEAK_WILL), Thresholds(), 0.73).propensity == 0.73


def test_only_delinquent_accounts_are_assessed() -> None:
    accounts = pl.DataFrame([
        {"account_id": "A1", "customer_id": "C1", "balance": "100.00",
         "past_due_amount": "50.00", "oldest_unpaid_due_date": "2026-03-01"},
        {"account_id": "A2", "customer_id": "C2", "balance": "100.00",
         "past_due_amount": "0", "oldest_unpaid_due_date": ""},
    ])
    out = assess(compute_features(accounts, as_of=date(2026, 3, 31)))
    assert out["account_id"].to_list() == ["A1"]
    assert out.columns == ["account_id", "ability", "willingness", "propensity", "segment",
                           "reason_1", "reason_2", "reason_3"]
