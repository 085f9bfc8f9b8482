"""Score every delinquent account for a date, inside the nightly run (issue 4).

Reads the portfolio tables set-based (a ``nightly.ports.ScoreStore``), computes the
features as of the date (``scoring.features``), the ability x willingness scorecard and
segment with reasons (``scoring.segments``), and the propensity from the institution's own
model when one is configured (``ARREARS_PROPENSITY_MODEL``, a folder from
``arrears model train-propensity``), else the documented fallback: the scorecard's
sqrt(ability x willingness). Stores ``account_scores`` for the date (replacing that date's
rows) and one ``scoring_runs`` row naming the model used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import polars as pl

from arrears.domain.vocabulary import Segment
from arrears.partitions import Cluster
from arrears.scoring.features import FeatureConfig, compute_features
from arrears.scoring.propensity import PropensityModel, predict_propensity
from arrears.scoring.segments import Thresholds, assess, assess_detailed, is_delinquent
from arrears.scoring.weight_fit import FittedWeights
from arrears.scoring.weight_refit import BALANCE_SLACK_DAYS, look_back, refit_ability, refit_willingness
from arrears.services.nightly.ports import ScoreStore
from arrears.services.response_refit import SEGMENT_SLACK_DAYS, ResponseRefit, refit_response, window_start
from arrears.services.scoring_parts import scored_on

SCORECARD_ID = "ability-willingness-scorecard"
SCORECARD_VERSION = "1"
SCORE_COLUMNS = (
    "as_of", "account_id", "ability", "willingness", "propensity", "segment",
    *[f"reason_{k}_{part}" for k in (1, 2, 3) for part in ("code", "zh", "en")],
    "balance_cents", "model_kind", "model_id", "model_version",
)


@dataclass(frozen=True)
class ScoringModel:
    """The propensity model of the run, and how to name it in the stored scores."""

    propensity: PropensityModel
    model_id: str
    version: str

    @property
    def kind(self) -> str:
        return self.propensity.kind


def scorecard_fallback(note: str = "") -> ScoringModel:
    message = note or ("未配置自有倾向模型, 使用能力x意愿评分卡 / no own propensity model configured: "
                       "propensity = sqrt(ability x willingness)")
    return ScoringModel(PropensityModel("scorecard", 0, 0, message), SCORECARD_ID, SCORECARD_VERSION)


def load_scoring_model(folder: Path | None) -> ScoringModel:
    """The own-history model in ``folder`` when it holds one, else the scorecard fallback
    (with the reason in its note)."""
    if folder is None:
        return scorecard_fallback()
    if not (folder / "model.txt").exists():
        return scorecard_fallback(f"{folder}: 没有模型文件, 使用能力x意愿评分卡 / no model.txt there: "
                                  "using the ability x willingness scorecard")
    from arrears.scoring.modelling import load_model

    digest = hashlib.sha256((folder / "model.txt").read_bytes()).hexdigest()[:16]
    trained = load_model(folder)
    return ScoringModel(PropensityModel("own", 0, 0, f"own propensity model {folder}", trained),
                        folder.resolve().name, digest)


@dataclass
class SegmentLine:
    segment: str
    accounts: int
    balance_cents: int


@dataclass
class ScoringReport:
    as_of: date
    accounts: int
    model_kind: str
    model_id: str
    model_version: str
    model_note: str
    segments: list[SegmentLine] = field(default_factory=list)
    willingness: FittedWeights | None = None
    ability: FittedWeights | None = None
    response: ResponseRefit | None = None


def score_frames(frames: dict[str, pl.DataFrame], as_of: date, model: ScoringModel,
                 thresholds: Thresholds, config: FeatureConfig | None = None,
                 *, willingness_weights: Mapping[str, float] | None = None,
                 ability_weights: Mapping[str, float] | None = None) -> pl.DataFrame:
    """Pure: features, propensity and assessment for every delinquent account."""
    frames = dict(frames)
    accounts = frames.pop("accounts")
    features = compute_features(accounts, as_of=as_of, config=config, **frames).filter(is_delinquent())
    propensity = predict_propensity(model.propensity, features, as_of) if features.height else None
    scored = assess_detailed(features, thresholds, propensity, willingness_weights, ability_weights)
    balances = accounts.select("account_id", "balance_cents") if "balance_cents" in accounts.columns \
        else accounts.select("account_id", (pl.col("balance").cast(pl.Float64) * 100).round(0)
                             .cast(pl.Int64).alias("balance_cents"))
    return scored.join(balances, on="account_id", how="left").with_columns(
        pl.col("balance_cents").fill_null(0))


def assess_portfolio(frames: dict[str, pl.DataFrame], *, as_of: date, thresholds: Thresholds,
                     own: PropensityModel | None = None) -> pl.DataFrame:
    """Pure: what `arrears score` writes for a portfolio's frames (features as of the date, the
    own model's propensity when given, else the scorecard's): one row per delinquent account."""
    features = compute_features(frames["accounts"], as_of=as_of, payments=frames.get("payments"),
                                contacts=frames.get("contacts"), customers=frames.get("customers"),
                                contact_points=frames.get("contact_points"), aging=frames.get("aging"))
    propensity = predict_propensity(own, features, as_of) if own is not None else None
    return assess(features, thresholds, propensity)


def store_scores(store: ScoreStore, as_of: date, scored: pl.DataFrame, *, model: ScoringModel,
                 thresholds: Thresholds, now: datetime, willingness: FittedWeights | None = None,
                 ability: FittedWeights | None = None, response: ResponseRefit | None = None) -> None:
    """Replace the date's scores with ``scored`` and record the run (with the weights' and the
    response models' refits)."""
    rows = scored.with_columns(
        pl.lit(as_of).alias("as_of"), pl.lit(model.kind).alias("model_kind"),
        pl.lit(model.model_id).alias("model_id"), pl.lit(model.version).alias("model_version"),
    ).select(SCORE_COLUMNS)
    store.replace(as_of, rows, {
        "ran_at": now, "model_kind": model.kind, "model_id": model.model_id, "model_version": model.version,
        "model_note": model.propensity.message, "ability_threshold": thresholds.ability,
        "willingness_threshold": thresholds.willingness, "accounts": scored.height,
        "willingness_weights": _as_json(willingness), "ability_weights": _as_json(ability),
        "response_rates": None if response is None else response.as_json(),
    })


def _as_json(fitted: FittedWeights | None) -> str | None:
    return None if fitted is None else json.dumps(asdict(fitted), ensure_ascii=False)


def segment_summary(scored: pl.DataFrame) -> list[SegmentLine]:
    totals = {s: (n, b) for s, n, b in scored.group_by("segment").agg(
        pl.len(), pl.col("balance_cents").sum()).iter_rows()}
    return [SegmentLine(s.value, *totals.get(s.value, (0, 0))) for s in Segment]


def score_accounts(
    store: ScoreStore, as_of: date, now: datetime, model: ScoringModel, *,
    thresholds: Thresholds | None = None, config: FeatureConfig | None = None,
    stage: Callable[[str], None] = lambda _s: None, cluster: Cluster | None = None,
) -> ScoringReport:
    """Read, score (on ``cluster`` when given: the same rows) and store the date's scores in the
    caller's unit of work."""
    thresholds = thresholds or Thresholds()
    stage("read features")
    frames = store.frames(as_of)
    stage("refit willingness weights")
    willingness = refit_willingness(frames, as_of, config)
    stage("refit ability weights")
    then = look_back(as_of)
    ability = refit_ability(frames, store.balances(then - timedelta(days=BALANCE_SLACK_DAYS), then), as_of, config)
    stage("score accounts")
    score = partial(score_frames, as_of=as_of, model=model, thresholds=thresholds, config=config,
                    willingness_weights=willingness.weights, ability_weights=ability.weights)
    scored = score(frames) if cluster is None else scored_on(cluster, frames, score)
    stage("refit response models")
    start = window_start(as_of)
    response = refit_response(frames, store.segments(start - timedelta(days=SEGMENT_SLACK_DAYS), start), as_of)
    stage("store scores")
    store_scores(store, as_of, scored, model=model, thresholds=thresholds, now=now, willingness=willingness,
                 ability=ability, response=response)
    return ScoringReport(as_of, scored.height, model.kind, model.model_id, model.version,
                         model.propensity.message, segment_summary(scored), willingness, ability, response)
