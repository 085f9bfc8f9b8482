"""The willingness refit's data: the components as they stood ``LOOK_BACK_DAYS`` ago and whether
each account paid since (``weight_fit`` says how they are fitted and when they are used). Pure."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np
import polars as pl

from arrears.scoring.features import FeatureConfig, compute_features, usable_payments
from arrears.scoring.segment_frame import willingness_scores
from arrears.scoring.segments import WILLINGNESS, is_delinquent
from arrears.scoring.weight_fit import LOOK_BACK_DAYS, FittedWeights, fit_weights

PRIOR = {feature: weight for feature, weight, _ in WILLINGNESS}
HOLD_OUT_ONE_IN = 4


def held_out(account_ids: list[str]) -> np.ndarray:
    """One account in four, by a hash of its id that no library version changes."""
    return np.array([zlib.crc32(a.encode()) % HOLD_OUT_ONE_IN == 0 for a in account_ids], dtype=bool)


def refit_willingness(frames: dict[str, pl.DataFrame], as_of: date,
                      config: FeatureConfig | None = None) -> FittedWeights:
    """Refit the willingness weights on the accounts delinquent ``LOOK_BACK_DAYS`` before ``as_of``."""
    then = as_of - timedelta(days=LOOK_BACK_DAYS)
    config = config or FeatureConfig()
    rest = {k: v for k, v in frames.items() if k != "accounts"}
    features = compute_features(frames["accounts"], as_of=then, config=config, **rest).filter(is_delinquent())
    scores = willingness_scores(features)
    paid = usable_payments(frames.get("payments"), as_of, config.timezone).filter(pl.col("paid_on") > then)
    payers = set(paid["account_id"].to_list())
    ids = scores["account_id"].to_list()
    outcome = np.array([a in payers for a in ids], dtype=bool)
    names = list(PRIOR)
    return fit_weights(names, scores.select(names).to_numpy().astype(float), outcome, held_out(ids), PRIOR)
