"""Hardship programmes (困难帮扶): interest freeze, token payments, a pause.

Each runs from ``start`` to ``end`` inclusive and must be reviewed by ``review_on``.
A pause also stops the delinquency clock (an aging PausePeriod) when the policy says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from arrears.domain.aging import PausePeriod
from arrears.domain.arrangements.decisions import Decision, allow, deny
from arrears.domain.money import Money

FORBEARANCE_CITATION = "FCA CONC 7.3.4R, 7.3.5G; 商业银行信用卡业务监督管理办法 第七十条"


class HardshipKind(StrEnum):
    INTEREST_FREEZE = "interest_freeze"  # 停息
    TOKEN_PAYMENT = "token_payment"  # 象征性还款
    PAUSE = "pause"  # 暂停还款/停催


class HardshipStatus(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    REVIEW_DUE = "review_due"
    ENDED = "ended"


def _default_max_days() -> Mapping[HardshipKind, int]:
    return {
        HardshipKind.INTEREST_FREEZE: 366,
        HardshipKind.TOKEN_PAYMENT: 366,
        HardshipKind.PAUSE: 92,
    }


@dataclass(frozen=True, slots=True)
class HardshipPolicy:
    max_days: Mapping[HardshipKind, int] = field(default_factory=_default_max_days)
    max_days_between_reviews: int = 92
    pause_stops_aging: bool = True


@dataclass(frozen=True, slots=True)
class HardshipProgramme:
    programme_id: str
    account_id: str
    kind: HardshipKind
    start: date
    end: date
    review_on: date
    enrolled_by: str
    enrolled_at: datetime
    reason: str = ""
    token_amount: Money | None = None  # monthly token payment, for token_payment only

    def covers(self, on: date) -> bool:
        return self.start <= on <= self.end


def check_programme(
    programme: HardshipProgramme, policy: HardshipPolicy = HardshipPolicy()
) -> Decision:
    p = programme
    length = (p.end - p.start).days + 1
    limit = policy.max_days[p.kind]
    failures = [
        (p.end < p.start, "结束日期早于开始日期", "the end is before the start"),
        (
            length > limit,
            f"{p.kind} 最长 {limit} 天，申请 {length} 天",
            f"{p.kind} may last at most {limit} days, not {length}",
        ),
        (
            not p.start <= p.review_on <= p.end,
            "复核日期须在帮扶期内",
            "the review date must fall within the programme",
        ),
        (
            (p.review_on - p.start).days > policy.max_days_between_reviews,
            f"首次复核须在开始后 {policy.max_days_between_reviews} 天内",
            f"the first review must be within {policy.max_days_between_reviews} days of the start",
        ),
        (
            (p.kind is HardshipKind.TOKEN_PAYMENT) != (p.token_amount is not None),
            "仅象征性还款须填写每月金额",
            "a monthly amount is given for token payments only",
        ),
        (
            p.token_amount is not None and p.token_amount.amount <= 0,
            "象征性还款金额须大于零",
            "the token payment must be more than zero",
        ),
    ]
    for failed, zh, en in failures:
        if failed:
            return deny("ARR-HARD-01", zh, en, FORBEARANCE_CITATION)
    return allow(
        "ARR-HARD-01",
        f"{p.kind} 帮扶方案符合政策",
        f"the {p.kind} programme is within policy",
        FORBEARANCE_CITATION,
    )


def programme_status(programme: HardshipProgramme, on: date) -> HardshipStatus:
    if on < programme.start:
        return HardshipStatus.SCHEDULED
    if on > programme.end:
        return HardshipStatus.ENDED
    return HardshipStatus.REVIEW_DUE if on >= programme.review_on else HardshipStatus.ACTIVE


def interest_frozen(programmes: Iterable[HardshipProgramme], on: date) -> bool:
    return any(p.kind is HardshipKind.INTEREST_FREEZE and p.covers(on) for p in programmes)


def collection_paused(programmes: Iterable[HardshipProgramme], on: date) -> bool:
    return any(p.kind is HardshipKind.PAUSE and p.covers(on) for p in programmes)


def aging_pauses(
    programmes: Iterable[HardshipProgramme], policy: HardshipPolicy = HardshipPolicy()
) -> tuple[PausePeriod, ...]:
    """Pause programmes as aging pause periods (the DPD clock stands still)."""
    if not policy.pause_stops_aging:
        return ()
    return tuple(
        PausePeriod(p.start, p.end, "hardship_pause")
        for p in programmes
        if p.kind is HardshipKind.PAUSE
    )
