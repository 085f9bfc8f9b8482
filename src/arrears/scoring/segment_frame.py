"""The ability x willingness scorecard, set-based: the same components, weights, scores and
reason wording as ``segments.assess_row``, as polars expressions over the whole frame.

A million accounts take seconds instead of a Python call per component per row. Each
component is an expression for its sub-score in [0, 1] and one for its zh and en wording;
the top three reasons are picked per row by one sort key (largest move from neutral first,
at a tie a weakness before a strength, then the component order), exactly as in
``assess_row``. ``tests/unit/test_scoring_segment_frame.py`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import polars as pl

from arrears.domain.vocabulary import Segment
from arrears.scoring.segments import NEUTRAL, Thresholds

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then


@dataclass(frozen=True)
class Component:
    feature: str
    weight: float
    score: pl.Expr
    zh: pl.Expr
    en: pl.Expr


def _num(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    return pl.col(name).cast(pl.Float64)


def _known(x: pl.Expr) -> pl.Expr:
    return x.is_not_null() & ~x.is_nan()


def _clip(x: pl.Expr) -> pl.Expr:
    return x.clip(0.0, 1.0)


def _one(x: pl.Expr) -> pl.Expr:
    return x.round(1).cast(pl.Utf8)


def _pct(x: pl.Expr) -> pl.Expr:
    return pl.concat_str((x * 100).round(0).cast(pl.Int64).cast(pl.Utf8), pl.lit("%"))


def _count(x: pl.Expr) -> pl.Expr:
    return x.fill_null(0).cast(pl.Int64).cast(pl.Utf8)


def _ratio(frame: pl.DataFrame, feature: str, weight: float, scale: Callable[[pl.Expr], pl.Expr], *,
           unknown: tuple[str, str], zh: tuple[str, Callable, str], en: tuple[str, Callable, str],
           unknown_score: float = NEUTRAL) -> Component:
    x = _num(frame, feature)
    known = _known(x)

    def words(parts: tuple[str, Callable, str], fallback: str) -> pl.Expr:
        before, fmt, after = parts
        return pl.when(known).then(pl.concat_str(pl.lit(before), fmt(x), pl.lit(after))
                                   ).otherwise(pl.lit(fallback))

    return Component(feature, weight, pl.when(known).then(_clip(scale(x))).otherwise(unknown_score),
                     words(zh, unknown[0]), words(en, unknown[1]))


def ability_components(frame: pl.DataFrame) -> list[Component]:
    hardship = (pl.col("hardship").cast(pl.Boolean).fill_null(False) if "hardship" in frame.columns
                else pl.lit(False))
    return [
        _ratio(frame, "income_to_min_payment", 0.30, lambda r: r / 10,
               unknown=("收入或最低还款额未知", "income or minimum payment unknown"),
               zh=("月收入为最低还款额的", _one, "倍"), en=("income ", _one, "x the minimum payment")),
        _ratio(frame, "income_to_balance", 0.20, lambda r: r / 0.5,
               unknown=("收入或欠款未知", "income or balance unknown"),
               zh=("月收入为欠款的", _pct, ""), en=("income is ", _pct, " of the balance")),
        _ratio(frame, "utilisation", 0.15, lambda u: 1 - (u - 0.5) / 0.7,
               unknown=("额度使用率未知", "utilisation unknown"),
               zh=("额度使用率", _pct, ""), en=("utilisation ", _pct, "")),
        _ratio(frame, "payment_to_min_ratio", 0.20, lambda r: r,
               unknown=("最低还款额未知", "minimum payment unknown"),
               zh=("近30天还款为最低还款额的", _pct, ""), en=("paid ", _pct, " of the minimum in 30 days")),
        Component("hardship", 0.15, pl.when(hardship).then(0.0).otherwise(1.0),
                  pl.when(hardship).then(pl.lit("有困难帮扶标记")).otherwise(pl.lit("无困难帮扶标记")),
                  pl.when(hardship).then(pl.lit("hardship flagged")).otherwise(pl.lit("no hardship flag"))),
    ]


def _counted(frame: pl.DataFrame, feature: str) -> pl.Expr:
    return _num(frame, feature).fill_null(0)


def willingness_components(frame: pl.DataFrame) -> list[Component]:
    kept, broken = _counted(frame, "promises_kept"), _counted(frame, "promises_broken")
    due = kept + broken
    inbound, refusals = _counted(frame, "inbound_contacts"), _counted(frame, "refusals")
    dead = _counted(frame, "invalid_numbers")
    return [
        Component("promise_kept_ratio", 0.30,
                  pl.when(due > 0).then(kept / due).otherwise(NEUTRAL),
                  pl.when(due > 0).then(pl.concat_str(pl.lit("承诺履约"), _count(kept), pl.lit("/"), _count(due)))
                  .otherwise(pl.lit("无到期的还款承诺")),
                  pl.when(due > 0).then(pl.concat_str(pl.lit("kept "), _count(kept), pl.lit(" of "), _count(due),
                                                      pl.lit(" promises")))
                  .otherwise(pl.lit("no promise due yet"))),
        _ratio(frame, "right_party_rate", 0.15, lambda r: r / 0.5,
               unknown=("尚无联系记录", "not contacted yet"),
               zh=("有效联系率", _pct, ""), en=("right-party rate ", _pct, "")),
        Component("inbound_contacts", 0.10, _clip(inbound / 2),
                  pl.concat_str(pl.lit("主动联系"), _count(inbound), pl.lit("次")),
                  pl.concat_str(pl.lit("contacted us "), _count(inbound), pl.lit(" times"))),
        _ratio(frame, "days_since_last_payment", 0.25, lambda d: (120 - d) / 90,
               unknown=("无还款记录", "no payment on record"),
               zh=("", _count, "天前有还款"), en=("last paid ", _count, " days ago"), unknown_score=0.0),
        Component("refusals", 0.15, pl.when(refusals > 0).then(0.0).otherwise(1.0),
                  pl.concat_str(pl.lit("拒绝还款"), _count(refusals), pl.lit("次")),
                  pl.concat_str(pl.lit("refused to pay "), _count(refusals), pl.lit(" times"))),
        Component("invalid_numbers", 0.05, _clip(1 - dead / 2),
                  pl.concat_str(pl.lit("无效号码"), _count(dead), pl.lit("个")),
                  pl.concat_str(_count(dead), pl.lit(" invalid numbers"))),
    ]


SLOTS = 16  # more than the 11 components: the component index fits in the low bits
SCALE = 1_000_000_000


def _sort_key(i: int, c: Component) -> pl.Expr:
    """Smaller first: the larger move from neutral, then a weakness, then component order."""
    moved = (pl.col(f"_s{i}") - NEUTRAL).abs() * c.weight
    strength = (pl.col(f"_s{i}") >= NEUTRAL).cast(pl.Int64)
    return ((SCALE - (moved * SCALE).round(0).cast(pl.Int64)) * 2 + strength) * SLOTS + i


def weighted(components: list[Component], weights: Mapping[str, float] | None) -> list[Component]:
    """The components with the weights given by feature name (the others keep theirs)."""
    if not weights:
        return components
    return [replace(c, weight=weights.get(c.feature, c.weight)) for c in components]


def sub_scores(frame: pl.DataFrame, components: Callable[[pl.DataFrame], list[Component]]) -> pl.DataFrame:
    """``account_id`` and each component's sub-score in [0, 1], by feature name."""
    return frame.select("account_id", *[c.score.cast(pl.Float64).alias(c.feature) for c in components(frame)])


def assess_frame(frame: pl.DataFrame, thresholds: Thresholds,
                 willingness_weights: Mapping[str, float] | None = None,
                 ability_weights: Mapping[str, float] | None = None) -> pl.DataFrame:
    """Scores, segment and the three reasons (code, zh, en, and ``code: zh / en``) per row; the
    weights refitted on the portfolio (``weight_fit``) when given."""
    ability = weighted(ability_components(frame), ability_weights)
    willingness = weighted(willingness_components(frame), willingness_weights)
    parts = ability + willingness
    scored = frame.select(
        "account_id",
        *([pl.col("_propensity").cast(pl.Float64)] if "_propensity" in frame.columns else []),
        *[c.score.cast(pl.Float64).alias(f"_s{i}") for i, c in enumerate(parts)],
        *[c.zh.alias(f"_zh{i}") for i, c in enumerate(parts)],
        *[c.en.alias(f"_en{i}") for i, c in enumerate(parts)],
    )
    total = _weighted(ability, 0), _weighted(willingness, len(ability))
    scored = scored.with_columns(total[0].round(4).alias("ability"), total[1].round(4).alias("willingness"),
                                 *[_sort_key(i, c).alias(f"_k{i}") for i, c in enumerate(parts)])
    geometric = (pl.col("ability") * pl.col("willingness")).sqrt()
    combined = (pl.col("_propensity").fill_null(geometric) if "_propensity" in scored.columns else geometric)
    scored = scored.with_columns(combined.round(4).alias("propensity"), _segment(thresholds).alias("segment"),
                                 *_top_three(len(parts)))
    reasons = []
    for k in range(3):
        index = pl.col(f"_r{k}")
        code = index.replace_strict(list(range(len(parts))), [c.feature for c in parts], return_dtype=pl.Utf8)
        words_zh, words_en = (_pick(index, [pl.col(f"_{lang}{i}") for i in range(len(parts))])
                              for lang in ("zh", "en"))
        reasons += [code.alias(f"reason_{k + 1}_code"), words_zh.alias(f"reason_{k + 1}_zh"),
                    words_en.alias(f"reason_{k + 1}_en")]
    scored = scored.with_columns(reasons)
    joined = [pl.concat_str(f"reason_{k}_code", pl.lit(": "), f"reason_{k}_zh", pl.lit(" / "), f"reason_{k}_en")
              .alias(f"reason_{k}") for k in (1, 2, 3)]
    return scored.select("account_id", "ability", "willingness", "propensity", "segment", *joined,
                         *[f"reason_{k}_{part}" for k in (1, 2, 3) for part in ("code", "zh", "en")])


def _top_three(count: int) -> list[pl.Expr]:
    """The components of the three smallest sort keys (keys are unique: the index is in them)."""
    keys = [pl.col(f"_k{i}") for i in range(count)]
    first = pl.min_horizontal(keys)
    second = pl.min_horizontal([pl.when(k > first).then(k) for k in keys])
    third = pl.min_horizontal([pl.when(k > second).then(k) for k in keys])
    return [(key % SLOTS).alias(f"_r{n}") for n, key in enumerate((first, second, third))]


def _pick(index: pl.Expr, columns: list[pl.Expr]) -> pl.Expr:
    chosen: Then | ChainedThen = pl.when(index == 0).then(columns[0])
    for i, column in enumerate(columns[1:], start=1):
        chosen = chosen.when(index == i).then(column)
    return chosen


def _weighted(components: list[Component], first: int) -> pl.Expr:
    return pl.sum_horizontal([pl.col(f"_s{first + i}") * c.weight for i, c in enumerate(components)])


def _segment(thresholds: Thresholds) -> pl.Expr:
    able = pl.col("ability") >= thresholds.ability
    willing = pl.col("willingness") >= thresholds.willingness
    return (pl.when(able & willing).then(pl.lit(Segment.ABLE_WILLING.value))
            .when(able).then(pl.lit(Segment.ABLE_UNWILLING.value))
            .when(willing).then(pl.lit(Segment.WILLING_UNABLE.value))
            .otherwise(pl.lit(Segment.UNABLE_UNWILLING.value)))
