"""Allocation (分案): which accounts are worked in house and which are placed with an outside agency
(委外), for how long, and when they come back (退案). Pure: the rules are data, the clock is an
argument, and every decision says which rule made it and why.

- A rule matches accounts by bucket, balance range, region (a prefix of the customer's
  jurisdiction, e.g. ``CN-44``) and segment; the first matching rule decides. Its target is the
  house (``in_house``) or a list of agencies.
- Among a rule's agencies, an account goes to one whose mandate is valid on the day, whose
  capacity is not full, with the best performance (recovered / placed balance over the
  evaluation window; ties by agency id); when none qualifies the account stays in house, saying why.
- A placement lasts the agency's placement period (``placement_days``); on its last day + 1 it is
  recalled automatically (自动退案). A placement can also be recalled or moved by hand with a reason.
- Accounts already placed are not moved by the rules (no churn); an account whose rule now says
  ``in_house`` is recalled only by hand or at the end of its period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

IN_HOUSE = "in_house"


class PlacementStatus(StrEnum):
    ACTIVE = "active"
    RECALLED = "recalled"  # by hand, or automatically at the end of the period


class RecallReason(StrEnum):
    PERIOD_ENDED = "period_ended"  # 委案期满自动退案
    MANDATE_ENDED = "mandate_ended"  # 机构授权到期
    BY_HAND = "by_hand"  # 人工退案 (the reason text says why)
    MOVED = "moved"  # 调案 to another agency or the house


@dataclass(frozen=True, slots=True)
class AllocationRule:
    name: str
    target: tuple[str, ...]  # (IN_HOUSE,) or agency ids
    buckets: frozenset[str] = frozenset()  # empty: any
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    regions: tuple[str, ...] = ()  # jurisdiction prefixes; empty: any
    segments: frozenset[str] = frozenset()  # empty: any

    def matches(self, account: AccountToPlace) -> bool:
        return ((not self.buckets or account.bucket in self.buckets)
                and (self.min_balance is None or account.balance >= self.min_balance)
                and (self.max_balance is None or account.balance < self.max_balance)
                and (not self.regions or any(account.region.startswith(r) for r in self.regions))
                and (not self.segments or account.segment in self.segments))


@dataclass(frozen=True, slots=True)
class AgencyTerms:
    agency_id: str
    capacity: int  # most active placements at once
    placement_days: int
    authorized_until: date | None
    performance: float = 0.0  # recovered / placed balance in the evaluation window
    active: int = 0  # placements active now

    def mandate_valid(self, on: date) -> bool:
        return self.authorized_until is not None and on <= self.authorized_until


@dataclass(frozen=True, slots=True)
class AccountToPlace:
    account_id: str
    bucket: str
    balance: Decimal
    region: str
    segment: str | None = None
    agency_id: str | None = None  # active placement's agency, if placed


@dataclass(frozen=True, slots=True)
class Decision:
    """What allocation decided for one account, with the rule and a sentence in zh and en."""

    account_id: str
    agency_id: str | None  # None: in house
    rule: str
    zh: str
    en: str
    until: date | None = None  # the placement's last day
    balance: Decimal | None = None  # as the account was when decided (the placement keeps it)
    bucket: str | None = None


@dataclass
class Allocation:
    placements: list[Decision] = field(default_factory=list)  # new placements with an agency
    in_house: list[Decision] = field(default_factory=list)  # decided to stay in house (and why)
    unmatched: int = 0  # accounts no rule matched (stay as they are)


def allocate(accounts: Iterable[AccountToPlace], rules: Sequence[AllocationRule],
             agencies: Mapping[str, AgencyTerms], on: date) -> Allocation:
    """Decisions for accounts not placed now, in the order given (give them largest balance first
    so that capacity goes where it matters most)."""
    left = {a: terms.capacity - terms.active for a, terms in agencies.items()}
    result = Allocation()
    for account in accounts:
        if account.agency_id is not None:
            continue
        rule = next((r for r in rules if r.matches(account)), None)
        if rule is None:
            result.unmatched += 1
            continue
        decision = _decide(account, rule, agencies, left, on)
        (result.placements if decision.agency_id else result.in_house).append(decision)
    return result


def _decide(account: AccountToPlace, rule: AllocationRule, agencies: Mapping[str, AgencyTerms],
            left: dict[str, int], on: date) -> Decision:
    if rule.target == (IN_HOUSE,):
        return Decision(account.account_id, None, rule.name, f"规则 {rule.name}：自营催收",
                        f"rule {rule.name}: worked in house")
    candidates = [agencies[a] for a in rule.target if a in agencies]
    valid = [t for t in candidates if t.mandate_valid(on)]
    open_ = [t for t in valid if left.get(t.agency_id, 0) > 0]
    if not open_:
        why_zh, why_en = (("所列机构授权均已到期或未知", "no listed agency holds a valid mandate") if not valid
                          else ("所列机构已满额", "every listed agency is at capacity"))
        return Decision(account.account_id, None, rule.name, f"规则 {rule.name}：{why_zh}，留在自营",
                        f"rule {rule.name}: {why_en}; stays in house")
    best = sorted(open_, key=lambda t: (-t.performance, t.agency_id))[0]
    left[best.agency_id] -= 1
    until = min(on + timedelta(days=best.placement_days - 1), best.authorized_until or on)
    return Decision(account.account_id, best.agency_id, rule.name,
                    f"规则 {rule.name}：委外至 {best.agency_id}（回收表现 {best.performance:.1%}，委案至 {until}）",
                    f"rule {rule.name}: placed with {best.agency_id} (performance {best.performance:.1%}, "
                    f"until {until})", until, account.balance, account.bucket)


@dataclass(frozen=True, slots=True)
class ActivePlacement:
    placement_id: int
    account_id: str
    agency_id: str
    until: date


def due_recalls(active: Iterable[ActivePlacement], agencies: Mapping[str, AgencyTerms],
                on: date) -> list[tuple[ActivePlacement, RecallReason]]:
    """Placements to recall on ``on``: the period is over, or the agency's mandate has ended."""
    due = []
    for placement in active:
        terms = agencies.get(placement.agency_id)
        if placement.until < on:
            due.append((placement, RecallReason.PERIOD_ENDED))
        elif terms is None or not terms.mandate_valid(on):
            due.append((placement, RecallReason.MANDATE_ENDED))
    return due
