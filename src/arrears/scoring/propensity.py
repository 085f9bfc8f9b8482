"""The propensity-to-pay model trained on the institution's own history.

For each past as-of date: the features as of that date (``features.compute_features``;
give ``accounts`` with a ``snapshot_date`` column so each date sees the state it had then),
and the label "paid at least the minimum payment within the next 30 days" from
``payments``. Then the LightGBM pipeline of ``modelling`` (CV, calibration, scorecard).

With too little history (fewer than ``MIN_ROWS`` labelled rows or ``MIN_POSITIVES``
payers) it falls back to the transparent ability x willingness scorecard of ``segments``
(propensity = sqrt(ability x willingness)). The Taiwan reference model in
``scoring/reference`` predicts default on the Taiwan layout, whose monthly statuses and
amounts a v1 portfolio does not carry; it is the documented fallback for data in that
layout (``arrears model score --model src/arrears/scoring/reference``), not a silent
substitute here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from arrears.scoring.features import FeatureConfig, compute_features, usable_payments
from arrears.scoring.modelling import TrainConfig, TrainedModel, score_frame, train_frame
from arrears.scoring.segments import is_delinquent

MIN_ROWS = 500
MIN_POSITIVES = 50
HORIZON_DAYS = 30
LABEL = "paid_min_30d"
KEY = "account_as_of"
MODEL_INPUTS = [
    "dpd", "worst_dpd", "months_delinquent_6m", "months_delinquent_12m", "bucket_rolls_12m",
    "payments_30d", "payments_90d", "payment_to_min_ratio", "days_since_last_payment",
    "partial_payment_share", "promises_made", "promises_kept", "promises_broken",
    "promise_kept_ratio", "contact_attempts", "right_party_rate", "right_party_rate_call",
    "calls_answered_share", "invalid_numbers", "days_since_last_conversation",
    "inbound_contacts", "refusals", "complaints", "utilisation", "income_to_balance",
    "income_to_min_payment", "hardship", "installment_plan", "dispute",
]
MONOTONE = {"promise_kept_ratio": 1, "promises_broken": -1, "dpd": -1, "refusals": -1}
TABLES = ("payments", "contacts", "customers", "contact_points", "aging")


@dataclass
class PropensityModel:
    kind: str  # "own" (trained on own history) or "scorecard" (fallback)
    rows: int
    positives: int
    message: str
    model: TrainedModel | None = field(default=None, repr=False)


def model_inputs(features: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Numbers only (flags as 0/1), keyed ``account_id@as_of``."""
    return features.select(
        (pl.col("account_id") + f"@{as_of.isoformat()}").alias(KEY),
        *[pl.col(c).cast(pl.Float64) for c in MODEL_INPUTS],
    )


def labelled_rows(frames: dict[str, pl.DataFrame], as_of: date,
                  config: FeatureConfig | None = None) -> pl.DataFrame:
    config = config or FeatureConfig()
    feats = compute_features(frames["accounts"], as_of=as_of, config=config,
                             **{t: frames.get(t) for t in TABLES})
    feats = feats.filter(is_delinquent() & pl.col("min_payment").is_not_null())
    later = usable_payments(frames.get("payments"), as_of + timedelta(days=HORIZON_DAYS),
                            config.timezone).filter(pl.col("paid_on") > as_of)
    paid = later.group_by("account_id").agg(pl.col("amount").sum().alias("_paid"))
    feats = feats.join(paid, on="account_id", how="left")
    label = (pl.col("_paid").fill_null(0) >= pl.col("min_payment")).cast(pl.Int8).alias(LABEL)
    return model_inputs(feats, as_of).with_columns(feats.select(label).to_series())


def train_propensity(
    frames: dict[str, pl.DataFrame], as_of_dates: list[date], *, history_until: date,
    config: TrainConfig | None = None, feature_config: FeatureConfig | None = None,
) -> PropensityModel:
    """Train on past dates whose 30-day outcome is known by ``history_until``."""
    usable = [d for d in as_of_dates if d + timedelta(days=HORIZON_DAYS) <= history_until]
    parts = [labelled_rows(frames, d, feature_config) for d in usable]
    data = pl.concat(parts) if parts else pl.DataFrame()
    rows = data.height
    positives = int(data[LABEL].sum()) if rows else 0
    if rows < MIN_ROWS or positives < MIN_POSITIVES or positives == rows:
        return PropensityModel(
            "scorecard", rows, positives,
            f"历史数据不足({rows}行, {positives}个还款), 使用能力x意愿评分卡 / "
            f"too little history ({rows} rows, {positives} payers): using the ability x "
            "willingness scorecard")
    config = config or TrainConfig(monotone=MONOTONE)
    model = train_frame(data, LABEL, KEY, config, source="own history")
    return PropensityModel("own", rows, positives,
                           f"trained on {rows} rows from {len(usable)} dates", model)


def predict_propensity(model: PropensityModel, features: pl.DataFrame,
                       as_of: date) -> pl.Series | None:
    """Probability of paying the minimum within 30 days; None for the scorecard fallback."""
    if model.model is None:
        return None
    scores = score_frame(model.model, model_inputs(features, as_of))
    return scores["probability"]
