"""Propensity to pay from the institution's own history, and the fallback when it is thin."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.scoring.modelling import TrainConfig
from arrears.scoring.propensity import LABEL, labelled_rows, predict_propensity, train_propensity
from arrears.scoring.segments import assess

DATES = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
FAST = TrainConfig(folds=3, rounds=40)


def _history(accounts: int, seed: int = 3) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    snaps, pays = [], []
    for i in range(accounts):
        payer = rng.random() < 0.5
        for d in [date(2025, 12, 31), *DATES]:
            snaps.append({"account_id": f"A{i}", "customer_id": f"C{i}",
                          "snapshot_date": d.isoformat(), "balance": "1000.00",
                          "min_payment": "100.00", "past_due_amount": "100.00",
                          "oldest_unpaid_due_date": (d - timedelta(days=20)).isoformat()})
            if rng.random() < (0.85 if payer else 0.1):
                at = d + timedelta(days=int(rng.integers(1, 25)))
                pays.append({"payment_id": f"P{i}-{d}", "account_id": f"A{i}",
                             "paid_at": f"{at.isoformat()}T10:00:00+08:00", "amount": "150.00"})
    return {"accounts": pl.DataFrame(snaps), "payments": pl.DataFrame(pays)}


def test_the_label_is_paying_the_minimum_within_thirty_days_after_the_date() -> None:
    frames = {
        "accounts": pl.DataFrame([{"account_id": "A1", "customer_id": "C1", "balance": "900",
                                   "min_payment": "100.00", "past_due_amount": "100",
                                   "oldest_unpaid_due_date": "2026-01-01"}]),
        "payments": pl.DataFrame([
            {"payment_id": "P1", "account_id": "A1", "paid_at": "2026-02-20T10:00:00+08:00",
             "amount": "60.00"},
            {"payment_id": "P2", "account_id": "A1", "paid_at": "2026-03-02T10:00:00+08:00",
             "amount": "39.99"},
            {"payment_id": "P3", "account_id": "A1", "paid_at": "2026-03-04T10:00:00+08:00",
             "amount": "500.00"},
        ]),
    }
    # From 31 Jan the window ends 2 Mar: 60 + 39.99 falls one fen short.
    assert labelled_rows(frames, date(2026, 1, 31))[LABEL].to_list() == [0]
    # From 3 Feb the window ends 5 Mar and takes in the 500 paid on 4 Mar.
    assert labelled_rows(frames, date(2026, 2, 3))[LABEL].to_list() == [1]


def test_too_little_history_falls_back_to_the_scorecard() -> None:
    model = train_propensity(_history(40), DATES, history_until=date(2026, 4, 30), config=FAST)
    assert model.kind == "scorecard"
    assert "too little history" in model.message
    assert predict_propensity(model, pl.DataFrame(), DATES[-1]) is None


def test_dates_whose_outcome_is_not_yet_known_are_not_used() -> None:
    model = train_propensity(_history(40), DATES, history_until=date(2026, 3, 31), config=FAST)
    assert model.rows == 80


def test_enough_history_trains_a_model_that_ranks_payers_higher() -> None:
    frames = _history(300)
    model = train_propensity(frames, DATES, history_until=date(2026, 4, 30), config=FAST)
    assert model.kind == "own" and model.rows == 900
    assert model.model.metrics["lightgbm"]["roc_auc"]["mean"] > 0.75
    from arrears.scoring.features import compute_features

    features = compute_features(frames["accounts"], as_of=DATES[-1],
                                payments=frames["payments"])
    propensity = predict_propensity(model, features, DATES[-1])
    scored = assess(features, propensity=propensity)
    assert scored["propensity"].is_between(0, 1).all()
