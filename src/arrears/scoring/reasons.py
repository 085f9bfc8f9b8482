"""Reason codes in Chinese and English: a short sentence for a feature that raised risk.

Format: ``FEATURE: 中文 / English``. Known features have their own wording; any other
feature gets ``{feature} 偏高 / {feature} high`` (or 偏低 / low when its value is below the
training median).
"""

from __future__ import annotations

import math
import re

from arrears.scoring.engineering import TAIWAN_DERIVED

_MONTHS_AGO = {
    0: ("最近一期", "latest"),
    1: ("前1期", "previous"),
    2: ("前2期", "2 months back"),
    3: ("前3期", "3 months back"),
    4: ("前4期", "4 months back"),
    5: ("前5期", "5 months back"),
}
_PAY_STATUS = re.compile(r"PAY_([0-6])")
_BILL = re.compile(r"BILL_AMT([1-6])")
_PAID = re.compile(r"PAY_AMT([1-6])")
_PROFILE = {
    "EDUCATION": ("学历", "education"),
    "SEX": ("性别", "sex"),
    "MARRIAGE": ("婚姻状况", "marital status"),
    "AGE": ("年龄", "age"),
}


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "?"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"


def _level(value: float, median: float | None) -> tuple[str, str]:
    if median is not None and not math.isnan(value) and value < median:
        return "偏低", "low"
    return "偏高", "high"


def _pay_status_text(month: int, value: float) -> tuple[str, str]:
    zh_when, en_when = _MONTHS_AGO[month]
    if math.isnan(value):
        return f"{zh_when}还款状态未知", f"{en_when} repayment status unknown"
    late = int(value)
    if late > 0:
        return f"{zh_when}还款逾期{late}个月", f"{en_when} repayment {late} months late"
    if late == 0:
        return f"{zh_when}仅还最低额(循环)", f"{en_when} revolving (minimum paid)"
    if late == -1:
        return f"{zh_when}已全额还款", f"{en_when} paid in full"
    return f"{zh_when}未用卡", f"{en_when} no card use"


def _taiwan_text(feature: str, value: float, median: float | None) -> tuple[str, str] | None:
    zh_lv, en_lv = _level(value, median)
    if m := _PAY_STATUS.fullmatch(feature):
        month = int(m.group(1))
        return _pay_status_text(0 if month == 0 else month - 1, value)
    if m := _BILL.fullmatch(feature):
        zh_when, en_when = _MONTHS_AGO[int(m.group(1)) - 1]
        return f"{zh_when}账单金额{zh_lv}({_fmt(value)})", f"{en_when} bill {en_lv} ({_fmt(value)})"
    if m := _PAID.fullmatch(feature):
        zh_when, en_when = _MONTHS_AGO[int(m.group(1)) - 1]
        return (f"{zh_when}还款金额{zh_lv}({_fmt(value)})",
                f"{en_when} payment {en_lv} ({_fmt(value)})")
    if feature == "LIMIT_BAL":
        return f"授信额度{zh_lv}({_fmt(value)})", f"credit limit {en_lv} ({_fmt(value)})"
    if feature in _PROFILE:
        zh, en = _PROFILE[feature]
        return f"{zh}({_fmt(value)})", f"{en} ({_fmt(value)})"
    if feature in TAIWAN_DERIVED:
        zh, en = TAIWAN_DERIVED[feature]
        return f"{zh}{zh_lv}({_fmt(value)})", f"{en} {en_lv} ({_fmt(value)})"
    return None


def reason_text(
    feature: str, value: float | str, median: float | None = None,
    texts: dict[str, tuple[str, str]] | None = None,
) -> str:
    """One reason line for a feature that pushed the risk up."""
    if isinstance(value, str):
        return f"{feature}: {feature} = {value} / {feature} is {value}"
    if texts and feature in texts:
        zh, en = texts[feature]
        zh_lv, en_lv = _level(value, median)
        return f"{feature}: {zh}{zh_lv}({_fmt(value)}) / {en} {en_lv} ({_fmt(value)})"
    known = _taiwan_text(feature, value, median)
    if known is not None:
        return f"{feature}: {known[0]} / {known[1]}"
    zh_lv, en_lv = _level(value, median)
    return f"{feature}: {feature} {zh_lv} / {feature} {en_lv}"
