"""Scorecard weights fitted to what customers did, with the judgement weights as the prior.

The scorecard's weights (``segments.ABILITY``, ``segments.WILLINGNESS``) are judgement. Each
nightly run refits them on the portfolio's own history: the components are computed as they stood
30 days ago (``LOOK_BACK_DAYS``: only what was known on that date counts), and the outcome is
whether the account paid anything in the 30 days since. The fit is a ridge regression of the
outcome on the components, pulled towards the prior weights (scaled to the outcome), so that a
small or noisy portfolio keeps the judgement: ``PRIOR_STRENGTH`` is how many accounts' worth of
evidence the prior counts for. The weights are then kept non-negative and summed to one (scores
stay in [0, 1] and the segment thresholds keep their meaning).

The fitted weights are used only when they rank better than the prior on accounts held out of
the fit (one account in four, by a stable hash of its id): AUC of the fitted score >= AUC of the
prior score. Otherwise, or with fewer than ``MIN_ACCOUNTS`` accounts or ``MIN_EACH`` payers and
non-payers, the prior stays, and the run says why.

The same rule fits both scores: ``weight_refit`` gives it the willingness components (from the
payments and contacts before the look-back date) and the ability components (from the balances,
past-due amounts and minimum payments the nightly run stored for that date in the aging history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LOOK_BACK_DAYS = 30
PRIOR_STRENGTH = 2_000  # accounts' worth of evidence the judgement weights count for
MIN_ACCOUNTS = 1_000
MIN_EACH = 100  # payers and non-payers in the fit


@dataclass(frozen=True)
class FittedWeights:
    """What the refit found and whether the run uses it (``weights`` is what scoring uses)."""

    weights: Mapping[str, float]
    prior: Mapping[str, float]
    accounts: int
    payers: int
    auc_prior: float | None
    auc_fitted: float | None
    used: bool
    note_zh: str
    note_en: str
    components_as_of: str | None = None  # the look-back date the components stood on (ISO)


def judgement_kept(prior: Mapping[str, float], note_zh: str, note_en: str, *, accounts: int = 0,
                   payers: int = 0) -> FittedWeights:
    """Nothing fitted: the judgement weights stay, with the reason."""
    return FittedWeights(dict(prior), prior, accounts, payers, None, None, False, note_zh, note_en)


def auc(score: np.ndarray, outcome: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None without both outcomes."""
    positives, negatives = int(outcome.sum()), int((~outcome).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score), dtype=float)
    sorted_scores = score[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(average, counts)
    return float((ranks[outcome].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def ridge_towards(components: np.ndarray, outcome: np.ndarray, prior: np.ndarray,
                  strength: float = PRIOR_STRENGTH) -> np.ndarray | None:
    """Weights fitting ``outcome`` from ``components``, pulled towards ``prior`` (scaled to the
    outcome); non-negative, summing to one. None when nothing can be learned (no spread)."""
    x = components - components.mean(axis=0)
    y = outcome.astype(float) - outcome.mean()
    prior_score = x @ prior
    spread = float(prior_score @ prior_score)
    if spread <= 0:
        return None
    scale = float(prior_score @ y) / spread  # the prior's weights in the outcome's units
    gram = x.T @ x
    penalty = strength * float(np.trace(gram)) / (len(x) * x.shape[1])
    if penalty <= 0:
        return None
    solved = np.linalg.solve(gram + penalty * np.eye(len(prior)), x.T @ y + penalty * scale * prior)
    weights = np.clip(solved, 0.0, None)
    total = float(weights.sum())
    return None if total <= 0 else weights / total


def fit_weights(names: Sequence[str], components: np.ndarray, outcome: np.ndarray, held_out: np.ndarray,
                prior: Mapping[str, float], *, strength: float = PRIOR_STRENGTH) -> FittedWeights:
    """Fit on the accounts not ``held_out``; use the fit only if it ranks the held-out ones better."""
    prior_vector = np.array([prior[n] for n in names], dtype=float)
    fit, check = ~held_out, held_out
    payers = int(outcome[fit].sum())
    keep = dict(prior)
    if fit.sum() < MIN_ACCOUNTS or payers < MIN_EACH or int(fit.sum()) - payers < MIN_EACH:
        return judgement_kept(prior, f"样本不足（{int(fit.sum())} 户，{payers} 户还款）：沿用经验权重",
                              f"too little history ({int(fit.sum())} accounts, {payers} paid): judgement weights kept",
                              accounts=int(fit.sum()), payers=payers)
    fitted = ridge_towards(components[fit], outcome[fit], prior_vector, strength)
    auc_prior = auc(components[check] @ prior_vector, outcome[check])
    if fitted is None:
        return FittedWeights(keep, prior, int(fit.sum()), payers, auc_prior, None, False,
                             "成分无差异，无法拟合：沿用经验权重", "the components do not vary: judgement weights kept")
    auc_fitted = auc(components[check] @ fitted, outcome[check])
    better = auc_prior is not None and auc_fitted is not None and auc_fitted >= auc_prior
    weights = {n: round(float(w), 4) for n, w in zip(names, fitted, strict=True)} if better else keep
    zh = "留出样本上排序更好：采用拟合权重" if better else "留出样本上不优于经验权重：沿用经验权重"
    en = ("ranks the held-out accounts better: fitted weights used" if better
          else "no better on the held-out accounts: judgement weights kept")
    return FittedWeights(weights, prior, int(fit.sum()), payers, auc_prior, auc_fitted, better, zh, en)
