"""Probability calibration fitted on out-of-fold predictions, stored as plain JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

ISOTONIC = "isotonic"
PLATT = "platt"


@dataclass
class Calibrator:
    method: str
    xs: list[float]
    ys: list[float]

    def apply(self, raw: np.ndarray) -> np.ndarray:
        if self.method == ISOTONIC:
            return np.interp(raw, self.xs, self.ys)
        a, b = self.xs[0], self.ys[0]
        logit = np.log(np.clip(raw, 1e-9, 1 - 1e-9) / np.clip(1 - raw, 1e-9, 1))
        return 1.0 / (1.0 + np.exp(-(a * logit + b)))

    def to_json(self) -> dict:
        return {"method": self.method, "xs": self.xs, "ys": self.ys}

    @classmethod
    def from_json(cls, data: dict) -> Calibrator:
        return cls(data["method"], list(data["xs"]), list(data["ys"]))


def fit_calibrator(raw: np.ndarray, y: np.ndarray, method: str = ISOTONIC) -> Calibrator:
    if method == ISOTONIC:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
        return Calibrator(ISOTONIC, [float(v) for v in iso.X_thresholds_],
                          [float(v) for v in iso.y_thresholds_])
    if method == PLATT:
        logit = np.log(np.clip(raw, 1e-9, 1 - 1e-9) / np.clip(1 - raw, 1e-9, 1))
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(logit.reshape(-1, 1), y)
        return Calibrator(PLATT, [float(lr.coef_[0][0])], [float(lr.intercept_[0])])
    raise ValueError(f"unknown calibration method {method!r}: use isotonic or platt")


def cross_calibrate(raw: np.ndarray, y: np.ndarray, fold_of: np.ndarray, method: str) -> np.ndarray:
    """Calibrated out-of-fold probabilities: each fold's calibrator is fitted on the
    other folds' out-of-fold predictions, never on the fold it is applied to."""
    out = np.empty_like(raw)
    for fold in np.unique(fold_of):
        here = fold_of == fold
        out[here] = fit_calibrator(raw[~here], y[~here], method).apply(raw[here])
    return out
