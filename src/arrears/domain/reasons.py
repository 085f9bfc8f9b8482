"""Why a rule decided as it did: the one explained-reason type.

Every decision that explains itself carries a `Reason`: the arrangements' `Decision`, the
compliance rules' `RuleResult` and the access rules' refusals. Nothing is blocked or allowed
without a sentence a person can read, in Chinese and English, and what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    """The rule that decided, a sentence in Chinese and in English, and its citation (may be empty)."""

    rule_id: str
    zh: str
    en: str
    citation: str = ""

    def text(self, language: str) -> str:
        """The sentence in `language` (`en`; anything else reads Chinese, the default)."""
        return self.en if language == "en" else self.zh
