"""The refit's data, for both scores (``weight_fit`` says how the weights are fitted and when they
are used): the components as they stood on a look-back date, and whether each account paid
anything in the ``LOOK_BACK_DAYS`` after it. Pure.

- willingness: the features as of ``as_of - LOOK_BACK_DAYS`` (only payments and contacts before
  then count);
- ability: the balances, past-due amounts, minimum payments and days past due that the nightly run
  stored in the aging history on the latest run on or before that date (at most
  ``BALANCE_SLACK_DAYS`` earlier), with the accounts' credit limits and flags, the customers'
  declared incomes and the payments before then. Today's balances cannot stand in for them: who
  paid owes less today, so the outcome would leak into the components. Without such rows the
  judgement weights stay, and the run says why.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.scoring.features import (
    MONEY,
    FeatureConfig,
    account_state,
    capacity,
    compute_features,
    payment_behaviour,
    usable_payments,
)
from arrears.scoring.segment_frame import ability_components, sub_scores, willingness_components
from arrears.scoring.segments import ABILITY, WILLINGNESS, is_delinquent
from arrears.scoring.weight_fit import LOOK_BACK_DAYS, FittedWeights, fit_weights, judgement_kept

WILLINGNESS_PRIOR = {feature: weight for feature, weight, _ in WILLINGNESS}
ABILITY_PRIOR = {feature: weight for feature, weight, _ in ABILITY}
HOLD_OUT_ONE_IN = 4
BALANCE_SLACK_DAYS = 5  # how much earlier than the look-back date a stored run may stand in for it
BALANCE_COLUMNS = ("dpd", "balance", "past_due_amount", "min_payment")


def held_out(account_ids: list[str]) -> np.ndarray:
    """One account in four, by a hash of its id that no library version changes."""
    return np.array([zlib.crc32(a.encode()) % HOLD_OUT_ONE_IN == 0 for a in account_ids], dtype=bool)


def look_back(as_of: date) -> date:
    return as_of - timedelta(days=LOOK_BACK_DAYS)


def refit_on(scores: pl.DataFrame, prior: Mapping[str, float], paid: pl.DataFrame, then: date) -> FittedWeights:
    """The one rule for both scores: ``scores`` (``account_id`` and a sub-score per component of
    ``prior``) as they stood on ``then``; the outcome is a payment (``paid``, with ``paid_on``) in
    the ``LOOK_BACK_DAYS`` after ``then``."""
    window = paid.filter(pl.col("paid_on") > then, pl.col("paid_on") <= then + timedelta(days=LOOK_BACK_DAYS))
    outcome = scores["account_id"].is_in(window["account_id"].unique().implode()).to_numpy().astype(bool)
    names = list(prior)
    fitted = fit_weights(names, scores.select(names).to_numpy().astype(float), outcome,
                         held_out(scores["account_id"].to_list()), prior)
    return replace(fitted, components_as_of=then.isoformat())


def refit_willingness(frames: dict[str, pl.DataFrame], as_of: date,
                      config: FeatureConfig | None = None) -> FittedWeights:
    """Refit the willingness weights on the accounts delinquent ``LOOK_BACK_DAYS`` before ``as_of``."""
    then, config = look_back(as_of), config or FeatureConfig()
    rest = {k: v for k, v in frames.items() if k != "accounts"}
    features = compute_features(frames["accounts"], as_of=then, config=config, **rest).filter(is_delinquent())
    paid = usable_payments(frames.get("payments"), as_of, config.timezone)
    return refit_on(sub_scores(features, willingness_components), WILLINGNESS_PRIOR, paid, then)


def refit_ability(frames: dict[str, pl.DataFrame], balances: pl.DataFrame, as_of: date,
                  config: FeatureConfig | None = None) -> FittedWeights:
    """Refit the ability weights on the accounts delinquent on the stored run nearest before the
    look-back date (``balances``: the aging history's ``account_id``, ``as_of`` and
    ``BALANCE_COLUMNS``); the judgement stays without such a run."""
    config = config or FeatureConfig()
    then = balances_date(balances, as_of)
    if then is None:
        return judgement_kept(ABILITY_PRIOR, "无30天前的余额记录：沿用经验权重",
                              "no balance history 30 days back: judgement weights kept")
    state = accounts_then(frames["accounts"], balances.filter(pl.col("as_of") == then), then)
    paid = usable_payments(frames.get("payments"), as_of, config.timezone)
    features = ability_features(state, frames.get("customers"), paid.filter(pl.col("paid_on") <= then), then, config)
    return refit_on(sub_scores(features, ability_components), ABILITY_PRIOR, paid, then)


def balances_date(balances: pl.DataFrame, as_of: date) -> date | None:
    """The latest stored run on or before the look-back date, at most ``BALANCE_SLACK_DAYS``
    before it, whose rows carry the minimum payment."""
    latest = look_back(as_of)
    dates = balances.filter(pl.col("as_of").is_between(latest - timedelta(days=BALANCE_SLACK_DAYS), latest),
                            pl.col("min_payment").is_not_null())["as_of"]
    return dates.max() if len(dates) else None  # type: ignore[return-value]


def accounts_then(accounts: pl.DataFrame, balances: pl.DataFrame, then: date) -> pl.DataFrame:
    """The accounts as they stood on ``then``: the stored balances of that date with what does not
    move with payments (customer, credit limit, flags)."""
    static = account_state(accounts, then)
    kept = [c for c in ("account_id", "customer_id", "credit_limit", "flags") if c in static.columns]
    stored = balances.select("account_id", *BALANCE_COLUMNS).with_columns(
        pl.col("balance", "past_due_amount", "min_payment").cast(MONEY))
    return static.select(kept).join(stored, on="account_id", how="inner")


def ability_features(state: pl.DataFrame, customers: pl.DataFrame | None, paid: pl.DataFrame, then: date,
                     config: FeatureConfig) -> pl.DataFrame:
    """The features the ability components read, for the accounts delinquent on ``then``."""
    recent = payment_behaviour(state, paid, then, config).select("account_id", "payment_to_min_ratio")
    return (state.select("account_id", "dpd").join(capacity(state, customers), on="account_id")
            .join(recent, on="account_id").filter(is_delinquent()))
