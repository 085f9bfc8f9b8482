"""The willingness and ability weights refitted to what customers did, pulled towards the judgement
weights, and used only when they rank held-out accounts better."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.scoring.weight_fit import auc, fit_weights, ridge_towards
from arrears.scoring.weight_refit import (
    ABILITY_PRIOR,
    WILLINGNESS_PRIOR,
    balances_date,
    held_out,
    refit_ability,
    refit_willingness,
)

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
    assert set(fitted.weights) == set(WILLINGNESS_PRIOR)


AS_OF = date(2026, 11, 29)
THEN = AS_OF - timedelta(days=30)


def _ability_world(n: int = 2_400) -> dict[str, pl.DataFrame]:
    """Today every account owes the same; 30 days ago half owed little against their income and
    those paid since (but one in five), the others mostly did not (one in seven paid). One in three
    had paid the minimum before then, which says nothing about paying since."""
    ids = [f"A{i:05d}" for i in range(n)]
    low = [i % 2 == 0 for i in range(n)]
    accounts = pl.DataFrame({
        "account_id": ids, "customer_id": [f"C{i:05d}" for i in range(n)], "balance": "5000.00",
        "credit_limit": "200000.00", "min_payment": "500.00", "past_due_amount": "500.00",
        "oldest_unpaid_due_date": (AS_OF - timedelta(days=90)).isoformat(), "status": "open",
    })
    customers = pl.DataFrame({"customer_id": [f"C{i:05d}" for i in range(n)], "monthly_income": "10000.00"})
    balances = pl.DataFrame({
        "account_id": ids, "as_of": THEN, "dpd": 60,
        "balance": ["5000.00" if cheap else "100000.00" for cheap in low],
        "past_due_amount": "500.00", "min_payment": "500.00"})
    paid = [a for i, (a, cheap) in enumerate(zip(ids, low, strict=True))
            if (cheap and i % 5 != 0) or (not cheap and i % 7 == 0)]
    before = ids[::3]  # paid the minimum before the look-back date: unrelated to paying since
    payments = pl.DataFrame({
        "account_id": paid + before, "payment_id": [f"P{a}" for a in paid] + [f"B{a}" for a in before],
        "paid_at": [f"{(THEN + timedelta(days=10)).isoformat()}T10:00:00+08:00"] * len(paid)
        + [f"{(THEN - timedelta(days=10)).isoformat()}T10:00:00+08:00"] * len(before),
        "amount": ["100.00"] * len(paid) + ["500.00"] * len(before), "reversed": "false"})
    return {"accounts": accounts, "customers": customers, "payments": payments, "balances": balances}


def test_the_ability_refit_reads_the_balances_stored_30_days_back_not_todays() -> None:
    world = _ability_world()
    balances = world.pop("balances")
    fitted = refit_ability(world, balances, AS_OF)
    assert fitted.components_as_of == THEN.isoformat() and fitted.accounts > 1_000
    assert fitted.used and set(fitted.weights) == set(ABILITY_PRIOR)
    assert fitted.weights["income_to_balance"] > ABILITY_PRIOR["income_to_balance"] + 0.1
    # with today's balances in their place nothing about the balance tells payers apart
    today = balances.with_columns(pl.lit("5000.00").alias("balance"))
    assert refit_ability(world, today, AS_OF).weights["income_to_balance"] < fitted.weights["income_to_balance"]


def test_without_balance_history_30_days_back_the_ability_judgement_stays_and_says_why() -> None:
    world = _ability_world()
    balances = world.pop("balances")
    for history in (balances.clear(), balances.with_columns(pl.lit(AS_OF - timedelta(days=10)).alias("as_of")),
                    balances.with_columns(pl.lit(None, dtype=pl.Utf8).alias("min_payment"))):
        fitted = refit_ability(world, history, AS_OF)
        assert not fitted.used and fitted.weights == ABILITY_PRIOR
        assert fitted.note_en == "no balance history 30 days back: judgement weights kept"


def test_the_nearest_stored_run_on_or_before_the_look_back_date_stands_in_within_five_days() -> None:
    def history(*days_before_then: int) -> pl.DataFrame:
        return pl.DataFrame({"as_of": [THEN - timedelta(days=d) for d in days_before_then],
                             "min_payment": "500.00"})

    assert balances_date(history(-2, 3, 4), AS_OF) == THEN - timedelta(days=3)
    assert balances_date(history(0, 3), AS_OF) == THEN
    assert balances_date(history(-1, 6), AS_OF) is None
