"""Model metrics: ROC AUC, KS, Brier, log loss, and a 95% interval across folds.

Probabilities are floats (they are ratios, not money).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score, roc_curve

METRIC_NAMES = ("roc_auc", "ks", "brier", "log_loss")


def ks_statistic(y: np.ndarray, score: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the widest gap between the score CDFs of the two classes."""
    fpr, tpr, _ = roc_curve(y, score)
    return float(np.max(tpr - fpr))


def fold_metrics(y: np.ndarray, rank_score: np.ndarray, probability: np.ndarray) -> dict:
    """AUC and KS from the ranking score; Brier and log loss from the probability."""
    p = np.clip(probability, 1e-6, 1 - 1e-6)
    return {
        "roc_auc": float(roc_auc_score(y, rank_score)),
        "ks": ks_statistic(y, rank_score),
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
    }


@dataclass(frozen=True, slots=True)
class Summary:
    mean: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci95": [self.ci_low, self.ci_high]}


def mean_with_ci(values: Sequence[float]) -> Summary:
    """Mean and a Student-t 95% interval across folds (folds share training rows,
    so the interval is somewhat narrow; it is the usual CV report)."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return Summary(mean, mean, mean)
    half = float(stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return Summary(mean, mean - half, mean + half)


def summarise_folds(per_fold: list[dict]) -> dict:
    return {
        "per_fold": per_fold,
        **{name: mean_with_ci([f[name] for f in per_fold]).as_dict() for name in METRIC_NAMES},
    }


def calibration_table(y: np.ndarray, probability: np.ndarray, bins: int = 10) -> list[dict]:
    """Predicted vs observed rate per probability decile (equal-count bins)."""
    order = np.argsort(probability, kind="stable")
    rows = []
    for chunk in np.array_split(order, bins):
        if len(chunk) == 0:
            continue
        rows.append({
            "n": len(chunk),
            "mean_predicted": float(probability[chunk].mean()),
            "observed_rate": float(y[chunk].mean()),
        })
    return rows
