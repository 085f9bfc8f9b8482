"""Derived features for the Taiwan credit card layout (UCI "default of credit card clients").

Each derived feature is a row-wise function of the raw columns: nothing is fitted, so
computing them before cross-validation cannot leak a label. ``PAY_AMTk`` is the amount
paid in month k toward the statement of month k+1 (``BILL_AMT{k+1}``).
"""

from __future__ import annotations

import polars as pl

TAIWAN_V1 = "taiwan-v1"
PAY_STATUS = ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"]
BILLS = [f"BILL_AMT{k}" for k in range(1, 7)]
PAID = [f"PAY_AMT{k}" for k in range(1, 7)]
TAIWAN_INPUTS = ["LIMIT_BAL", *PAY_STATUS, *BILLS, *PAID]

# name -> (zh, en) meaning; also used by docs and reason codes.
TAIWAN_DERIVED = {
    "late_count_6m": ("近6个月逾期月数", "months late in the last 6"),
    "late_count_3m": ("近3个月逾期月数", "months late in the last 3"),
    "max_late_6m": ("近6个月最长逾期月数", "longest delay in 6 months"),
    "paid_full_count_6m": ("近6个月全额还款月数", "months paid in full in the last 6"),
    "no_use_count_6m": ("近6个月未用卡月数", "months with no card use in the last 6"),
    "late_trend": ("逾期趋势(近2月减早2月)", "delay trend"),
    "utilisation_1": ("最近账单额度使用率", "latest bill / credit limit"),
    "utilisation_mean_6m": ("近6个月平均额度使用率", "mean bill / credit limit, 6 months"),
    "utilisation_max_6m": ("近6个月最高额度使用率", "highest bill / credit limit, 6 months"),
    "bill_growth_3m": ("近3个月账单增长(占额度)", "3-month bill growth / limit"),
    "pay_ratio_1": ("最近还款额/上期账单", "latest payment / previous bill"),
    "pay_ratio_mean_5m": ("近5个月还款额/账单均值", "mean payment / bill, 5 months"),
    "pay_to_bill_total": ("6个月还款总额/账单总额", "total paid / total billed, 6 months"),
    "zero_payment_count_6m": ("近6个月零还款月数", "months with no payment in the last 6"),
    "payment_to_limit_mean": ("平均还款额/额度", "mean payment / credit limit"),
}
TAIWAN_DERIVED_MONOTONE = {"late_count_6m": 1, "late_count_3m": 1, "max_late_6m": 1}


def _ratio(num: pl.Expr, den: pl.Expr, cap: float = 10.0) -> pl.Expr:
    return pl.when(den > 0).then((num / den).clip(-cap, cap)).otherwise(None)


def _count(columns: list[str], predicate) -> pl.Expr:
    return pl.sum_horizontal([predicate(pl.col(c)).cast(pl.Int32) for c in columns])


def taiwan_v1(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the derived Taiwan features to a typed (float) frame."""
    limit = pl.col("LIMIT_BAL")
    ratios = [_ratio(pl.col(PAID[k]), pl.col(BILLS[k + 1])) for k in range(5)]
    exprs = {
        "late_count_6m": _count(PAY_STATUS, lambda c: c > 0),
        "late_count_3m": _count(PAY_STATUS[:3], lambda c: c > 0),
        "max_late_6m": pl.max_horizontal([pl.col(c) for c in PAY_STATUS]),
        "paid_full_count_6m": _count(PAY_STATUS, lambda c: c == -1),
        "no_use_count_6m": _count(PAY_STATUS, lambda c: c == -2),
        "late_trend": (pl.col("PAY_0") + pl.col("PAY_2") - pl.col("PAY_5") - pl.col("PAY_6")) / 2,
        "utilisation_1": _ratio(pl.col("BILL_AMT1"), limit),
        "utilisation_mean_6m": _ratio(pl.mean_horizontal([pl.col(c) for c in BILLS]), limit),
        "utilisation_max_6m": _ratio(pl.max_horizontal([pl.col(c) for c in BILLS]), limit),
        "bill_growth_3m": _ratio(pl.col("BILL_AMT1") - pl.col("BILL_AMT3"), limit),
        "pay_ratio_1": ratios[0],
        "pay_ratio_mean_5m": pl.mean_horizontal(ratios),
        "pay_to_bill_total": _ratio(
            pl.sum_horizontal([pl.col(c) for c in PAID[:5]]),
            pl.sum_horizontal([pl.col(c) for c in BILLS[1:]]),
        ),
        "zero_payment_count_6m": _count(PAID, lambda c: c <= 0),
        "payment_to_limit_mean": _ratio(pl.mean_horizontal([pl.col(c) for c in PAID]), limit),
    }
    out = frame.with_columns(**{k: v.cast(pl.Float64) for k, v in exprs.items()})
    return out.with_columns(pl.col(list(exprs)).fill_null(float("nan")))


ENGINEERINGS = {TAIWAN_V1: (TAIWAN_INPUTS, taiwan_v1, TAIWAN_DERIVED_MONOTONE)}


def detect_engineering(columns: list[str]) -> str | None:
    """The derived-feature set whose raw inputs are all present, if any."""
    for name, (inputs, _, _) in ENGINEERINGS.items():
        if set(inputs) <= set(columns):
            return name
    return None


def apply_engineering(name: str | None, frame: pl.DataFrame) -> pl.DataFrame:
    return frame if name is None else ENGINEERINGS[name][1](frame)


def derived_names(name: str | None) -> list[str]:
    return [] if name is None else list(TAIWAN_DERIVED) if name == TAIWAN_V1 else []
