"""What message screening returns. The gate maps categories to each pack's rules.

The screener is pure and deterministic: the same text always gets the same screening.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """Kinds of unlawful or risky content a collection message may contain."""

    THREAT = "threat"  # violence, intimidation, 后果自负, 找人收拾 (CN-TXT-01, US-TXT-01)
    INSULT = "insult"  # abuse, profanity, 老赖, deadbeat (CN-TXT-02, US-TXT-01)
    AUTHORITY = "authority"  # posing as police/court/government, fake legal papers (CN-TXT-03, US-TXT-04)
    CRIMINAL = "criminal"  # criminal-liability or arrest claims: 坐牢, jail (CN-TXT-04, US-TXT-02)
    DISCLOSURE = "disclosure"  # telling contacts/employer/family, 爆通讯录 (CN-TXT-05, UK-3P-01)
    FAMILY = "family"  # consequences aimed at family: 子女上学, 父母替你还 (CN-TXT-06)
    FUNDS = "funds"  # borrow elsewhere, 套现, extra collection fees (CN-TXT-07, UK-PRESS-01)
    VISIT = "visit"  # mentions a home or work visit (CN-TXT-08, review)
    LITIGATION = "litigation"  # 起诉, 律师函, lawsuit, sue (CN-TXT-09, US-TXT-03, US-SOL-01)
    REMEDY = "remedy"  # garnish, seize, levy, freeze account (US-TXT-03)
    PRESSURE = "pressure"  # lump sum now, sell your house, unreasonably short deadline (UK-PRESS-01)


class Severity(StrEnum):
    HIGH = "high"  # deny
    MEDIUM = "medium"  # review, or deny unless the account's flags allow it


@dataclass(frozen=True, slots=True)
class Finding:
    category: Category
    severity: Severity
    term: str  # the lexicon entry or pattern name that matched
    excerpt: str  # the matched part of the original text (for the reason shown to people)
    language: str  # "zh" or "en"


@dataclass(frozen=True, slots=True)
class Screening:
    """The result of screening one text."""

    findings: tuple[Finding, ...] = ()
    mentions_debt: bool = False  # states debt facts (欠款, 逾期, amount owed, "debt")
    has_opt_out: bool = False  # a clear opt-out: "reply STOP", "unsubscribe", 回复TD退订
    self_identifies: bool = False  # names the institution or the collector (自报家门)
    normalized: str = field(default="", repr=False)

    def categories(self) -> frozenset[Category]:
        return frozenset(f.category for f in self.findings)

    def of(self, category: Category) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.category is category)
