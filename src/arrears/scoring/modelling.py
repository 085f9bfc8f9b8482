"""Train, save, load and score a default model on any tabular CSV with a 0/1 target.

Workflow (one fixed configuration, chosen before any cross-validation result was seen):
- stratified k-fold CV of LightGBM (monotone where the direction is known) and of a WOE
  logistic scorecard (the transparent challenger), both refitted inside each fold;
- isotonic (or Platt) calibration of LightGBM, fitted on out-of-fold predictions only;
- protected attributes (sex, marital status, age, ...) are left out unless asked for;
  the other choice is cross-validated too, so the card can report both;
- the final models are refitted on all rows; the folder holds everything to score again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.model_selection import StratifiedKFold

from arrears.scoring import tabular
from arrears.scoring.calibration import Calibrator, cross_calibrate, fit_calibrator
from arrears.scoring.engineering import (
    ENGINEERINGS,
    apply_engineering,
    derived_names,
    detect_engineering,
)
from arrears.scoring.metrics import calibration_table, fold_metrics, summarise_folds
from arrears.scoring.reasons import reason_text
from arrears.scoring.scorecard import Scorecard, fit_scorecard
from arrears.scoring.tabular import CATEGORICAL, ColumnSpec, DataFileError

MODEL_FORMAT = "arrears-model-v1"
REFERENCE_MODEL_DIR = Path(__file__).parent / "reference"  # Taiwan reference (docs/scoring.md)
PROTECTED_NAMES = {
    "sex", "gender", "marriage", "marital_status", "age", "birth_date", "race",
    "ethnicity", "religion", "nationality", "national_origin",
}
# Known risk directions: +1 = a higher value raises the risk of the target, -1 lowers it.
BUILTIN_MONOTONE = {
    "LIMIT_BAL": -1,
    **{c: 1 for c in ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"]},
    **{f"PAY_AMT{k}": -1 for k in range(1, 7)},
    **ENGINEERINGS["taiwan-v1"][2],
}
DEFAULT_LGBM = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "monotone_constraints_method": "advanced",
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
DEFAULT_ROUNDS = 400


@dataclass(frozen=True)
class TrainConfig:
    folds: int = 5
    seed: int = 42
    include_protected: bool = False
    compare_protected: bool = True
    calibration: str = "isotonic"
    monotone: dict[str, int] = field(default_factory=dict)
    engineer: bool = True
    rounds: int = DEFAULT_ROUNDS
    num_threads: int = 1
    lgbm: dict = field(default_factory=lambda: dict(DEFAULT_LGBM))


@dataclass
class Schema:
    """What the model reads: raw input columns, derived features, and what it ignores."""

    id_column: str | None
    target: str
    inputs: list[ColumnSpec]
    protected: list[str]
    protected_used: bool
    engineering: str | None
    features: list[str]
    monotone: dict[str, int]
    medians: dict[str, float] = field(default_factory=dict)

    @property
    def used_inputs(self) -> list[ColumnSpec]:
        return [s for s in self.inputs if self.protected_used or s.name not in self.protected]

    def to_json(self) -> dict:
        return {
            "format": MODEL_FORMAT, "id_column": self.id_column, "target": self.target,
            "inputs": [s.as_dict() for s in self.inputs], "protected": self.protected,
            "protected_used": self.protected_used, "engineering": self.engineering,
            "features": self.features, "monotone": self.monotone, "medians": self.medians,
            "categorical": [s.name for s in self.used_inputs if s.dtype == CATEGORICAL],
        }

    @classmethod
    def from_json(cls, d: dict) -> Schema:
        if d.get("format") != MODEL_FORMAT:
            raise DataFileError(f"not an {MODEL_FORMAT} model folder (features.json)")
        return cls(d["id_column"], d["target"], [ColumnSpec.from_dict(s) for s in d["inputs"]],
                   d["protected"], d["protected_used"], d["engineering"], d["features"],
                   d["monotone"], d.get("medians", {}))


@dataclass
class TrainedModel:
    schema: Schema
    booster: lgb.Booster
    calibrator: Calibrator
    scorecard: Scorecard
    metrics: dict = field(default_factory=dict)
    oof: dict = field(default_factory=dict)


def is_protected(name: str) -> bool:
    return name.strip().lower() in PROTECTED_NAMES


def read_monotone_file(path: Path) -> dict[str, int]:
    """JSON ``{"feature": 1 | -1 | 0}`` or CSV lines ``feature,direction``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        raw = json.loads(text)
    else:
        pairs = [line.split(",") for line in text.splitlines() if line.strip()]
        raw = {p[0].strip(): p[1].strip() for p in pairs if p[0].strip() != "feature"}
    out = {}
    for name, direction in raw.items():
        value = int(direction)
        if value not in (-1, 0, 1):
            raise DataFileError(f"{path}: {name}: direction must be -1, 0 or 1, not {value}")
        out[name] = value
    return out


def build_schema(frame: pl.DataFrame, target: str, id_column: str | None,
                 config: TrainConfig) -> Schema:
    excluded = {target} | ({id_column} if id_column else set())
    inputs = [tabular.infer_spec(frame[c]) for c in frame.columns if c not in excluded]
    protected = [s.name for s in inputs if is_protected(s.name)]
    used = [s.name for s in inputs if config.include_protected or s.name not in protected]
    engineering = detect_engineering(used) if config.engineer else None
    features = used + derived_names(engineering)
    numeric = {s.name for s in inputs if s.dtype != CATEGORICAL} | set(derived_names(engineering))
    directions = {**BUILTIN_MONOTONE, **config.monotone}
    monotone = {f: directions[f] for f in features if f in numeric and directions.get(f)}
    return Schema(id_column, target, inputs, protected, config.include_protected,
                  engineering, features, monotone)


def feature_matrix(frame: pl.DataFrame, schema: Schema) -> np.ndarray:
    typed = tabular.typed_frame(frame, schema.used_inputs)
    typed = apply_engineering(schema.engineering, typed)
    return typed.select(schema.features).to_numpy().astype(np.float64)


def _lgb_params(schema: Schema, config: TrainConfig) -> dict:
    return {
        **config.lgbm,
        "seed": config.seed,
        "num_threads": config.num_threads,
        "monotone_constraints": [schema.monotone.get(f, 0) for f in schema.features],
    }


def _fit_booster(X: np.ndarray, y: np.ndarray, schema: Schema, config: TrainConfig) -> lgb.Booster:
    categorical = [i for i, f in enumerate(schema.features)
                   if f in {s.name for s in schema.used_inputs if s.dtype == CATEGORICAL}]
    data = lgb.Dataset(X, label=y, feature_name=schema.features,
                       categorical_feature=categorical or "auto", free_raw_data=True)
    return lgb.train(_lgb_params(schema, config), data, num_boost_round=config.rounds)


def cross_validate(X: np.ndarray, y: np.ndarray, schema: Schema, config: TrainConfig,
                   with_scorecard: bool = True) -> dict:
    folds = StratifiedKFold(config.folds, shuffle=True, random_state=config.seed)
    fold_of = np.zeros(len(y), dtype=int)
    raw, card = np.zeros(len(y)), np.zeros(len(y))
    for k, (train, test) in enumerate(folds.split(X, y)):
        fold_of[test] = k
        raw[test] = _fit_booster(X[train], y[train], schema, config).predict(X[test])
        if with_scorecard:
            card[test] = fit_scorecard(X[train], y[train], schema.features).predict_proba(X[test])
    calibrated = cross_calibrate(raw, y, fold_of, config.calibration)
    lgbm_folds, card_folds = [], []
    for k in range(config.folds):
        here = fold_of == k
        uncalibrated = fold_metrics(y[here], raw[here], raw[here])["brier"]
        lgbm_folds.append({**fold_metrics(y[here], raw[here], calibrated[here]),
                           "brier_uncalibrated": uncalibrated})
        if with_scorecard:
            card_folds.append(fold_metrics(y[here], card[here], card[here]))
    return {"fold_of": fold_of, "raw": raw, "calibrated": calibrated, "card": card,
            "lightgbm": summarise_folds(lgbm_folds),
            "scorecard": summarise_folds(card_folds) if with_scorecard else None}


def train_frame(frame: pl.DataFrame, target: str, id_column: str | None = None,
                config: TrainConfig | None = None, source: str = "frame") -> TrainedModel:
    """Cross-validate, calibrate and refit on a text (or any) polars frame."""
    config = config or TrainConfig()
    frame = frame.with_columns(pl.all().cast(pl.Utf8))
    if id_column and id_column not in frame.columns:
        raise DataFileError(f"{source}: no id column {id_column!r}")
    y = tabular.read_target(Path(source), frame, target)
    schema = build_schema(frame, target, id_column, config)
    X = feature_matrix(frame, schema)
    schema.medians = _medians(X, schema.features)
    cv = cross_validate(X, y, schema, config)
    booster = _fit_booster(X, y, schema, config)
    calibrator = fit_calibrator(cv["raw"], y, config.calibration)
    scorecard = fit_scorecard(X, y, schema.features)
    metrics = {
        "rows": len(y), "positives": int(y.sum()), "folds": config.folds, "seed": config.seed,
        "calibration_method": config.calibration,
        "lightgbm": cv["lightgbm"], "scorecard": cv["scorecard"],
        "calibration_lightgbm": calibration_table(y, cv["calibrated"]),
        "calibration_scorecard": calibration_table(y, cv["card"]),
        "importance_mean_abs_shap": _importance(booster, X, schema.features),
    }
    if config.compare_protected and schema.protected:
        metrics["protected_comparison"] = _protected_comparison(frame, y, target, id_column,
                                                                config)
    oof = {"y": y, "raw": cv["raw"], "calibrated": cv["calibrated"], "card": cv["card"]}
    return TrainedModel(schema, booster, calibrator, scorecard, metrics, oof)


def _protected_comparison(frame, y, target, id_column, config: TrainConfig) -> dict:
    other = TrainConfig(**{**config.__dict__, "include_protected": not config.include_protected,
                           "compare_protected": False})
    schema = build_schema(frame, target, id_column, other)
    cv = cross_validate(feature_matrix(frame, schema), y, schema, other, with_scorecard=False)
    return {"protected_used_in_comparison": other.include_protected,
            "lightgbm": {k: v for k, v in cv["lightgbm"].items() if k != "per_fold"}}


def _medians(X: np.ndarray, names: list[str]) -> dict[str, float]:
    out = {}
    for i, name in enumerate(names):
        present = X[~np.isnan(X[:, i]), i]
        if len(present):
            out[name] = float(np.median(present))
    return out


def _importance(booster: lgb.Booster, X: np.ndarray, names: list[str],
                sample: int = 5000) -> dict[str, float]:
    rows = X[np.random.default_rng(0).permutation(len(X))[:sample]]
    # lightgbm types predict() for sparse input too; a dense matrix gives an ndarray
    contrib = np.asarray(booster.predict(rows, pred_contrib=True))[:, :-1]
    values = np.abs(contrib).mean(axis=0)
    order = np.argsort(-values)
    return {names[i]: float(values[i]) for i in order}


def train_file(path: Path, target: str, id_column: str | None = None,
               config: TrainConfig | None = None) -> tuple[TrainedModel, str]:
    frame = tabular.read_text_table(path)
    model = train_frame(frame, target, id_column, config, source=str(path))
    return model, tabular.file_sha256(path)


# ----------------------------------------------------------------- saving and loading

def save_model(model: TrainedModel, out: Path, data_info: dict, source_note: str = "") -> None:
    from arrears.scoring.card import write_card, write_plots

    out.mkdir(parents=True, exist_ok=True)
    model.booster.save_model(str(out / "model.txt"))
    _write_json(out / "calibrator.json", model.calibrator.to_json())
    _write_json(out / "scorecard.json", model.scorecard.to_json())
    _write_json(out / "features.json", model.schema.to_json())
    _write_json(out / "training_data.json", data_info)
    _write_json(out / "metrics.json", model.metrics)
    write_plots(model, out)
    write_card(model, out, data_info, source_note)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(folder: Path) -> TrainedModel:
    needed = ["model.txt", "calibrator.json", "scorecard.json", "features.json"]
    missing = [n for n in needed if not (folder / n).exists()]
    if missing:
        raise DataFileError(f"{folder}: not a model folder, missing {', '.join(missing)}")
    read = lambda n: json.loads((folder / n).read_text(encoding="utf-8"))  # noqa: E731
    metrics = read("metrics.json") if (folder / "metrics.json").exists() else {}
    return TrainedModel(
        Schema.from_json(read("features.json")),
        lgb.Booster(model_file=str(folder / "model.txt")),
        Calibrator.from_json(read("calibrator.json")),
        Scorecard.from_json(read("scorecard.json")),
        metrics,
    )


# ----------------------------------------------------------------- scoring

def check_score_frame(model: TrainedModel, frame: pl.DataFrame, source: str) -> None:
    schema = model.schema
    path = Path(source)
    extra = {schema.target} | ({schema.id_column} if schema.id_column else set())
    optional = set() if schema.protected_used else set(schema.protected)
    tabular.check_columns(path, frame, schema.inputs, extra, optional)
    if schema.id_column and schema.id_column not in frame.columns:
        raise DataFileError(f"{source}:1: missing id column {schema.id_column!r}")
    tabular.check_values(path, frame, schema.used_inputs)


def top_reasons(model: TrainedModel, X: np.ndarray, raw_frame: pl.DataFrame,
                count: int = 3) -> list[list[str]]:
    """The features pushing risk up the most (positive SHAP contributions), worded."""
    contrib = np.asarray(model.booster.predict(X, pred_contrib=True))[:, :-1]  # dense X: an ndarray
    medians = model.schema.medians
    categorical = {s.name for s in model.schema.used_inputs if s.dtype == CATEGORICAL}
    out = []
    for row in range(len(X)):
        order = np.argsort(-contrib[row])[:count]
        reasons = []
        for i in order:
            if contrib[row, i] <= 0:
                break
            name = model.schema.features[i]
            value = raw_frame[name][row] if name in categorical else float(X[row, i])
            reasons.append(reason_text(name, value, medians.get(name)))
        out.append(reasons + [""] * (count - len(reasons)))
    return out


def score_frame(model: TrainedModel, frame: pl.DataFrame, source: str = "frame") -> pl.DataFrame:
    frame = frame.with_columns(pl.all().cast(pl.Utf8))
    check_score_frame(model, frame, source)
    if frame.height == 0:
        raise DataFileError(f"{source}: no rows to score")
    X = feature_matrix(frame, model.schema)
    probability = model.calibrator.apply(np.asarray(model.booster.predict(X)))
    reasons = top_reasons(model, X, frame)
    id_name = model.schema.id_column or "row"
    ids = frame[id_name] if model.schema.id_column else pl.Series(
        "row", [str(i + 2) for i in range(frame.height)])
    return pl.DataFrame({
        id_name: ids,
        "probability": np.round(probability, 6),
        **{f"reason_{k + 1}": [r[k] for r in reasons] for k in range(3)},
    })


def score_file(model_dir: Path, data: Path) -> pl.DataFrame:
    model = load_model(model_dir)
    return score_frame(model, tabular.read_text_table(data), source=str(data))

