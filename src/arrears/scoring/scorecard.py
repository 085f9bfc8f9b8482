"""The transparent challenger: a binned weight-of-evidence (WOE) logistic scorecard.

Each feature is cut into bins (its distinct values when it has few, else training
deciles; missing is its own bin). A bin's WOE is ln(share of defaulters / share of
non-defaulters) there, so a positive WOE means riskier. A logistic regression on the WOE
values gives each feature one weight; a bin's points are weight x WOE. Everything is
kept as plain JSON, so a risk reviewer can read the whole model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

MAX_DISTINCT_AS_VALUES = 12
QUANTILES = np.linspace(0.1, 0.9, 9)


@dataclass
class Binning:
    name: str
    kind: str  # "values" or "edges"
    cuts: list[float]
    woe: list[float]
    missing_woe: float

    def transform(self, x: np.ndarray) -> np.ndarray:
        out = np.full(len(x), self.missing_woe, dtype=float)
        present = ~np.isnan(x)
        if self.kind == "values":
            lookup = dict(zip(self.cuts, self.woe, strict=True))
            out[present] = [lookup.get(float(v), 0.0) for v in x[present]]
        else:
            out[present] = np.asarray(self.woe)[np.searchsorted(self.cuts, x[present], "right")]
        return out


def _woe(pos: float, neg: float, total_pos: float, total_neg: float) -> float:
    return math.log(((pos + 0.5) / (total_pos + 1)) / ((neg + 0.5) / (total_neg + 1)))


def fit_binning(name: str, x: np.ndarray, y: np.ndarray) -> Binning:
    present = ~np.isnan(x)
    distinct = np.unique(x[present])
    total_pos, total_neg = float(y.sum()), float(len(y) - y.sum())
    if len(distinct) <= MAX_DISTINCT_AS_VALUES:
        kind, cuts = "values", [float(v) for v in distinct]
        groups = [x == v for v in distinct]
    else:
        kind = "edges"
        cuts = [float(c) for c in np.unique(np.quantile(x[present], QUANTILES))]
        index = np.searchsorted(cuts, x, "right")
        groups = [present & (index == b) for b in range(len(cuts) + 1)]
    woe = [_woe(y[g].sum(), (1 - y[g]).sum(), total_pos, total_neg) for g in groups]
    missing = ~present
    missing_woe = _woe(y[missing].sum(), (1 - y[missing]).sum(), total_pos, total_neg) \
        if missing.any() else 0.0
    return Binning(name, kind, cuts, woe, missing_woe)


@dataclass
class Scorecard:
    binnings: list[Binning]
    weights: list[float]
    intercept: float

    def woe_matrix(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([b.transform(X[:, i]) for i, b in enumerate(self.binnings)])

    def points(self, X: np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions (weight x WOE); positive pushes risk up."""
        return self.woe_matrix(X) * np.asarray(self.weights)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        logit = self.intercept + self.points(X).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logit))

    def to_json(self) -> dict:
        return {
            "kind": "woe-logistic-scorecard",
            "intercept": self.intercept,
            "features": [
                {"name": b.name, "bins": b.kind, "cuts": b.cuts, "woe": b.woe,
                 "missing_woe": b.missing_woe, "weight": w}
                for b, w in zip(self.binnings, self.weights, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Scorecard:
        binnings = [
            Binning(f["name"], f["bins"], f["cuts"], f["woe"], f["missing_woe"])
            for f in data["features"]
        ]
        return cls(binnings, [f["weight"] for f in data["features"]], data["intercept"])


def fit_scorecard(X: np.ndarray, y: np.ndarray, names: list[str]) -> Scorecard:
    binnings = [fit_binning(n, X[:, i], y) for i, n in enumerate(names)]
    woe = np.column_stack([b.transform(X[:, i]) for i, b in enumerate(binnings)])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(woe, y)
    return Scorecard(binnings, [float(w) for w in model.coef_[0]], float(model.intercept_[0]))
