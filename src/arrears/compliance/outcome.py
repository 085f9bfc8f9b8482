"""What one rule says about one proposed contact."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    rule_id: str
    outcome: Verdict
    reason_zh: str
    reason_en: str
    citation: str

    @property
    def passed(self) -> bool:
        return self.outcome is Verdict.PASS

    def reason(self, language: str) -> str:
        return self.reason_zh if language == "zh" else self.reason_en
