"""Ability and willingness to repay: a transparent points scorecard and the 2x2 segments.

Pure: a features frame (from ``features.compute_features``) in, one row per delinquent
account out. Each score is a weighted sum of components in [0, 1]; the weights below are
the whole model, documented in docs/scoring.md. An unknown input scores 0.5 (neutral).

- ability (能力): can the customer pay? income vs minimum payment and balance, utilisation,
  how much was paid lately, hardship.
- willingness (意愿): does the customer mean to pay? promises kept, being reachable,
  contacting us, paying recently, refusing, dead numbers.
- propensity (还款倾向) = sqrt(ability x willingness) unless a trained model gives one:
  both are needed to pay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeGuard

import polars as pl

from arrears.domain.vocabulary import Segment

NEUTRAL = 0.5


TREATMENTS = {
    Segment.ABLE_WILLING: ("有能力有意愿: 还款提醒", "able and willing: a reminder"),
    Segment.ABLE_UNWILLING: ("有能力无意愿: 坚定、合法的跟进与法务评估",
                             "able, unwilling: firm, lawful follow-up and legal review"),
    Segment.WILLING_UNABLE: ("有意愿无能力: 分期、延期或困难帮扶与辅导",
                             "willing, unable: installment, extension or hardship help"),
    Segment.UNABLE_UNWILLING: ("无能力无意愿: 减免结清或核销评估",
                               "unable and unwilling: settlement or charge-off review"),
}


@dataclass(frozen=True)
class Thresholds:
    ability: float = 0.5
    willingness: float = 0.5


def segment_of(ability: float, willingness: float, thresholds: Thresholds) -> Segment:
    able = ability >= thresholds.ability
    willing = willingness >= thresholds.willingness
    if able:
        return Segment.ABLE_WILLING if willing else Segment.ABLE_UNWILLING
    return Segment.WILLING_UNABLE if willing else Segment.UNABLE_UNWILLING


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _known(value: object) -> TypeGuard[float]:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


# A component: (feature, score, weight, scorer). scorer(row) -> (sub-score, zh, en).
Scorer = Callable[[dict], tuple[float, str, str]]


def _ratio(feature: str, unknown_zh: str, unknown_en: str, known: Callable[[float], tuple[float, str, str]]
           ) -> Scorer:
    """A component read from one ratio feature: neutral, saying what is unknown, when it is
    missing; else ``known(ratio)``."""

    def scorer(row: dict) -> tuple[float, str, str]:
        r = row.get(feature)
        if not _known(r):
            return NEUTRAL, unknown_zh, unknown_en
        return known(r)

    return scorer


_income_vs_min = _ratio(
    "income_to_min_payment", "收入或最低还款额未知", "income or minimum payment unknown",
    lambda r: (_clip(r / 10), f"月收入为最低还款额的{r:.1f}倍", f"income {r:.1f}x the minimum payment"))
_income_vs_balance = _ratio(
    "income_to_balance", "收入或欠款未知", "income or balance unknown",
    lambda r: (_clip(r / 0.5), f"月收入为欠款的{r:.0%}", f"income is {r:.0%} of the balance"))
_utilisation = _ratio(
    "utilisation", "额度使用率未知", "utilisation unknown",
    lambda u: (_clip(1 - (u - 0.5) / 0.7), f"额度使用率{u:.0%}", f"utilisation {u:.0%}"))
_recent_payment_size = _ratio(
    "payment_to_min_ratio", "最低还款额未知", "minimum payment unknown",
    lambda r: (_clip(r), f"近30天还款为最低还款额的{r:.0%}", f"paid {r:.0%} of the minimum in 30 days"))


def _hardship(row: dict) -> tuple[float, str, str]:
    if row.get("hardship"):
        return 0.0, "有困难帮扶标记", "hardship flagged"
    return 1.0, "无困难帮扶标记", "no hardship flag"


def _promises(row: dict) -> tuple[float, str, str]:
    kept, broken = row.get("promises_kept") or 0, row.get("promises_broken") or 0
    if kept + broken == 0:
        return NEUTRAL, "无到期的还款承诺", "no promise due yet"
    return kept / (kept + broken), f"承诺履约{kept}/{kept + broken}", (
        f"kept {kept} of {kept + broken} promises")


_reachable = _ratio(
    "right_party_rate", "尚无联系记录", "not contacted yet",
    lambda r: (_clip(r / 0.5), f"有效联系率{r:.0%}", f"right-party rate {r:.0%}"))


def _inbound(row: dict) -> tuple[float, str, str]:
    n = row.get("inbound_contacts") or 0
    return _clip(n / 2), f"主动联系{n}次", f"contacted us {n} times"


def _pays_recently(row: dict) -> tuple[float, str, str]:
    d = row.get("days_since_last_payment")
    if not _known(d):
        return 0.0, "无还款记录", "no payment on record"
    return _clip((120 - d) / 90), f"{d}天前有还款", f"last paid {d} days ago"


def _refusals(row: dict) -> tuple[float, str, str]:
    n = row.get("refusals") or 0
    return (0.0 if n else 1.0), f"拒绝还款{n}次", f"refused to pay {n} times"


def _dead_numbers(row: dict) -> tuple[float, str, str]:
    n = row.get("invalid_numbers") or 0
    return _clip(1 - n / 2), f"无效号码{n}个", f"{n} invalid numbers"


# The judgement weights of both scores; each nightly run refits them on the portfolio (``weight_fit``).
ABILITY: list[tuple[str, float, Scorer]] = [
    ("income_to_min_payment", 0.30, _income_vs_min),
    ("income_to_balance", 0.20, _income_vs_balance),
    ("utilisation", 0.15, _utilisation),
    ("payment_to_min_ratio", 0.20, _recent_payment_size),
    ("hardship", 0.15, _hardship),
]
WILLINGNESS: list[tuple[str, float, Scorer]] = [
    ("promise_kept_ratio", 0.30, _promises),
    ("right_party_rate", 0.15, _reachable),
    ("inbound_contacts", 0.10, _inbound),
    ("days_since_last_payment", 0.25, _pays_recently),
    ("refusals", 0.15, _refusals),
    ("invalid_numbers", 0.05, _dead_numbers),
]


@dataclass(frozen=True)
class Assessment:
    account_id: str
    ability: float
    willingness: float
    propensity: float
    segment: Segment
    reasons: tuple[str, ...]


def _score(row: dict, components) -> tuple[float, list[tuple[float, bool, str]]]:
    total, notes = 0.0, []
    for feature, weight, scorer in components:
        sub, zh, en = scorer(row)
        total += weight * sub
        notes.append((weight * abs(sub - NEUTRAL), sub >= NEUTRAL, f"{feature}: {zh} / {en}"))
    return round(total, 4), notes


def assess_row(row: dict, thresholds: Thresholds, propensity: float | None = None
               ) -> Assessment:
    """Score one account; its reasons are the components that moved it most from neutral."""
    ability, ability_notes = _score(row, ABILITY)
    willingness, willing_notes = _score(row, WILLINGNESS)
    # Largest move from neutral first; at a tie, a weakness before a strength.
    notes = sorted(ability_notes + willing_notes, key=lambda n: (-round(n[0], 9), n[1]))
    combined = propensity if propensity is not None else math.sqrt(ability * willingness)
    return Assessment(row["account_id"], ability, willingness, round(combined, 4),
                      segment_of(ability, willingness, thresholds),
                      tuple(text for _, _, text in notes[:3]))


def is_delinquent() -> pl.Expr:
    return (pl.col("dpd") > 0) | (pl.col("past_due_amount").cast(pl.Float64).fill_null(0) > 0)


def assess(features: pl.DataFrame, thresholds: Thresholds | None = None,
           propensity: pl.Series | None = None) -> pl.DataFrame:
    """One row per delinquent account: ability, willingness, propensity, segment, reasons.

    ``propensity`` (aligned with ``features``) comes from a trained model when there is one.
    """
    return assess_detailed(features, thresholds, propensity).select(
        "account_id", "ability", "willingness", "propensity", "segment",
        "reason_1", "reason_2", "reason_3")


def assess_detailed(features: pl.DataFrame, thresholds: Thresholds | None = None,
                    propensity: pl.Series | None = None,
                    willingness_weights: Mapping[str, float] | None = None,
                    ability_weights: Mapping[str, float] | None = None) -> pl.DataFrame:
    """``assess`` plus each reason's code (the component) and its zh and en wording
    (``reason_k_code``, ``reason_k_zh``, ``reason_k_en``). Set-based: the same scores and
    words as ``assess_row``, computed column-wise (see ``segment_frame``)."""
    from arrears.scoring.segment_frame import assess_frame

    frame = features if propensity is None else features.with_columns(
        propensity.alias("_propensity"))
    return assess_frame(frame.filter(is_delinquent()), thresholds or Thresholds(), willingness_weights,
                        ability_weights)
