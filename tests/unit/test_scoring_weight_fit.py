"""The willingness weights refitted to what customers did, pulled towards the judgement weights,
and used only when they rank held-out accounts better."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.scoring.weight_fit import auc, fit_weights, ridge_towards
from arrears.scoring.willingness_refit import PRIOR, held_out, refit_willingness

NAMES = ["a", "b", "c"]
PRIOR_ABC = {"a": 0.5, "b": 0.3, "c": 0.2}


def _world(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Component c alone decides who pays; a and b are noise."""
    rng = np.random.default_rng(seed)
    components = rng.random((n, 3))
    outcome = rng.random(n) < 0.1 + 0.8 * components[:, 2]
    return components, outcome


def test_auc_is_one_for_a_perfect_ranking_a_half_for_a_constant_and_none_without_both_outcomes() -> None:
    outcome = np.array([False, False, True, True])
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), outcome) == 1.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), outcome) == 0.5
    assert auc(np.array([0.1, 0.2]), np.array([True, True])) is None


def test_the_component_that_decides_gains_weight_and_the_weights_still_sum_to_one() -> None:
    components, outcome = _world(20_000)
    weights = ridge_towards(components, outcome, np.array([0.5, 0.3, 0.2]))
    assert weights is not None
    assert weights[2] > 0.6 and abs(weights.sum() - 1) < 1e-9 and (weights >= 0).all()


def test_a_stronger_prior_keeps_the_weights_nearer_the_judgement() -> None:
    components, outcome = _world(5_000)
    prior = np.array([0.5, 0.3, 0.2])
    weak = ridge_towards(components, outcome, prior, strength=10)
    strong = ridge_towards(components, outcome, prior, strength=1_000_000)
    assert weak is not None and strong is not None
    assert abs(strong - prior).sum() < abs(weak - prior).sum()
    assert abs(strong - prior).sum() < 0.05


def test_fitted_weights_are_used_when_they_rank_held_out_accounts_better() -> None:
    components, outcome = _world(8_000)
    hold = np.arange(8_000) % 4 == 0
    fitted = fit_weights(NAMES, components, outcome, hold, PRIOR_ABC)
    assert fitted.used and fitted.auc_fitted is not None and fitted.auc_prior is not None
    assert fitted.auc_fitted >= fitted.auc_prior
    assert fitted.weights["c"] > PRIOR_ABC["c"]


def test_the_fit_is_used_exactly_when_it_ranks_the_held_out_accounts_at_least_as_well() -> None:
    for seed in range(6):
        rng = np.random.default_rng(seed)
        components = rng.random((4_000, 3))
        outcome = rng.random(4_000) < components @ np.array([0.5, 0.3, 0.2])  # the prior is the truth
        fitted = fit_weights(NAMES, components, outcome, np.arange(4_000) % 4 == 0, PRIOR_ABC, strength=0.001)
        assert fitted.auc_prior is not None and fitted.auc_fitted is not None
        assert fitted.used == (fitted.auc_fitted >= fitted.auc_prior)
        assert fitted.weights == ({n: round(float(w), 4) for n, w in fitted.weights.items()} if fitted.used
                                  else PRIOR_ABC)


def test_a_small_portfolio_keeps_the_judgement_weights_and_says_why() -> None:
    components, outcome = _world(300)
    fitted = fit_weights(NAMES, components, outcome, np.zeros(300, dtype=bool), PRIOR_ABC)
    assert not fitted.used and fitted.weights == PRIOR_ABC
    assert "too little history" in fitted.note_en


def test_one_account_in_four_is_held_out_by_a_stable_hash() -> None:
    ids = [f"A{i:06d}" for i in range(4_000)]
    hold = held_out(ids)
    assert 800 < hold.sum() < 1_200
    assert (held_out(ids) == hold).all()


def test_the_refit_reads_components_from_before_the_look_back_and_payments_after_it() -> None:
    as_of = date(2026, 11, 29)
    n = 1_600
    ids = [f"A{i:05d}" for i in range(n)]
    accounts = pl.DataFrame({
        "account_id": ids, "customer_id": [f"C{i:05d}" for i in range(n)], "balance": "5000.00",
        "credit_limit": "10000.00", "min_payment": "500.00", "past_due_amount": "500.00",
        "oldest_unpaid_due_date": [(as_of - timedelta(days=90)).isoformat()] * n, "status": "open",
    })
    # accounts that paid 60 days ago pay again in the last 30 days; the others never pay
    early = [(a, f"P{a}", (as_of - timedelta(days=60)).isoformat() + "T10:00:00+08:00") for a in ids[: n // 2]]
    late = [(a, f"Q{a}", (as_of - timedelta(days=5)).isoformat() + "T10:00:00+08:00") for a in ids[: n // 2]]
    payments = pl.DataFrame([(a, p, t, "100.00", "false") for a, p, t in early + late], orient="row",
                            schema=["account_id", "payment_id", "paid_at", "amount", "reversed"])
    fitted = refit_willingness({"accounts": accounts, "payments": payments}, as_of)
    assert fitted.accounts + int(held_out(ids).sum()) == n
    assert fitted.payers == n // 2 - int(held_out(ids[: n // 2]).sum())
    assert set(fitted.weights) == set(PRIOR)
