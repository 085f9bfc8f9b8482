"""Extensions (延期): a due date moved later, within policy limits.

Limits: at most ``max_days`` later than the original due date, and at most
``max_per_year`` extensions granted on the account in the 365 days up to the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from arrears.domain.arrangements.decisions import Decision, allow, deny


@dataclass(frozen=True, slots=True)
class ExtensionPolicy:
    max_days: int = 30
    max_per_year: int = 2


@dataclass(frozen=True, slots=True)
class ExtensionTerms:
    """Which due date of the account moves, and to when: what is asked, and what is granted."""

    extension_id: str
    account_id: str
    subject: str  # what is moved: "statement", "installment:PLAN-1#3", "promise:P-9"
    original_due: date
    new_due: date

    @property
    def days(self) -> int:
        return (self.new_due - self.original_due).days


@dataclass(frozen=True, slots=True)
class Extension(ExtensionTerms):
    requested_on: date
    granted_by: str
    granted_at: datetime


def review_extension(original_due: date, new_due: date, requested_on: date, past: Iterable[Extension],
                     policy: ExtensionPolicy = ExtensionPolicy()) -> Decision:
    """Whether moving ``original_due`` to ``new_due`` fits the policy."""
    days = (new_due - original_due).days
    if days <= 0:
        return deny(
            "ARR-EXT-01",
            "新的还款日必须晚于原还款日",
            "the new due date must be later than the original one",
        )
    if days > policy.max_days:
        return deny(
            "ARR-EXT-01",
            f"延期 {days} 天，超过上限 {policy.max_days} 天",
            f"an extension of {days} days is more than the limit of {policy.max_days}",
        )
    since = requested_on - timedelta(days=365)
    recent = sum(1 for e in past if since < e.requested_on <= requested_on)
    if recent >= policy.max_per_year:
        return deny(
            "ARR-EXT-02",
            f"近一年已延期 {recent} 次，达到上限 {policy.max_per_year} 次",
            f"{recent} extensions in the last year: the limit is {policy.max_per_year}",
        )
    return allow(
        "ARR-EXT-01",
        f"延期 {days} 天，在政策范围内",
        f"an extension of {days} days is within policy",
    )
