"""What one rule says about one proposed contact."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arrears.domain.reasons import Reason


class Verdict(StrEnum):
    """Ordered from mildest to strictest (see STRICTNESS)."""

    PASS = "pass"
    WARN = "warn"  # passes, with a caution shown in `warnings`
    REVIEW = "review"  # a person must approve it first
    DENY = "deny"


STRICTNESS: dict[Verdict, int] = {
    Verdict.PASS: 0,
    Verdict.WARN: 1,
    Verdict.REVIEW: 2,
    Verdict.DENY: 3,
}


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A rule's verdict on one contact, and why (its sentences are empty when it passes)."""

    outcome: Verdict
    reason: Reason

    @property
    def rule_id(self) -> str:
        return self.reason.rule_id

    @property
    def passed(self) -> bool:
        return self.outcome is Verdict.PASS
