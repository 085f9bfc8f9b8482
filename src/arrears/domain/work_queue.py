"""The work queue's rules (工作队列), pure: what goes in a day's queue and in which order, and
who holds an item.

A day's queue is the day's stored plan when there is one (its calls in plan order, the plan's
reason and offer, the planned local hour as the best hour to call), else the latest aging run
(delinquent, open, no stop flag), highest days past due first, then the largest amount past
due. An item assigned to a collector is theirs until its lease runs out (``held``); nobody
else is handed it meanwhile, by the queue or by a due callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.domain.money import cents_text
from arrears.domain.vocabulary import NO_COLLECTION_FLAGS


class WorkItemStatus(StrEnum):
    OPEN = "open"  # waiting (or back: released, lease lapsed)
    ASSIGNED = "assigned"  # handed to a collector until the lease runs out
    DONE = "done"  # worked: a contact was logged on it while held


CALLBACK_REASON = "约定回电 / callback"


@dataclass(frozen=True, slots=True)
class WorkItem:
    queue_date: date
    account_id: str
    priority: int
    reason: str
    best_hour: int | None
    status: WorkItemStatus = WorkItemStatus.OPEN


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A call of the day's stored plan."""

    account_id: str
    position: int
    scheduled_at: datetime  # aware
    reason: str
    offer: str
    timezone: str  # the customer's


@dataclass(frozen=True, slots=True)
class AgedAccount:
    """An account as the latest aging run left it."""

    account_id: str
    flags: str  # ';'-separated
    dpd: int
    bucket: str
    past_due_cents: int
    preferred_hours: str | None


def priority(dpd: int, past_due_cents: int) -> int:
    return min(dpd, 999) * 10_000 + min(past_due_cents // 10_000, 9_999)


def best_hour(preferred_hours: str | None) -> int | None:
    if not preferred_hours:
        return None
    head = preferred_hours.split("-")[0].split(":")[0]
    return int(head) if head.isdigit() else None


def items_from_plan(day: date, calls: Sequence[PlannedCall]) -> list[WorkItem]:
    """One item per account, its first planned call (``calls`` in plan order)."""
    items: dict[str, WorkItem] = {}
    for call in calls:
        if call.account_id in items:
            continue
        hour = call.scheduled_at.astimezone(ZoneInfo(call.timezone)).hour
        offer = "" if call.offer == "none" else f" · 方案 {call.offer}"
        items[call.account_id] = WorkItem(day, call.account_id, len(calls) - call.position,
                                          f"计划 plan: {call.reason}{offer}", hour)
    return list(items.values())


def items_from_aging(day: date, accounts: Iterable[AgedAccount]) -> list[WorkItem]:
    """An item for each delinquent account without a flag that stops collection."""
    return [
        WorkItem(day, a.account_id, priority(a.dpd, a.past_due_cents),
                 f"逾期 {a.dpd} 天 · 账龄 {a.bucket} · 逾期金额 {cents_text(a.past_due_cents)}",
                 best_hour(a.preferred_hours))
        for a in accounts
        if a.dpd > 0 and not set(filter(None, a.flags.split(";"))) & NO_COLLECTION_FLAGS
    ]


def held(status: str, lease_until: datetime | None, now: datetime) -> bool:
    """The holding rule: an item assigned to a collector is theirs until its lease runs out.
    (The SQL adapter states the same rule as a condition of its one UPDATE.)"""
    return status == WorkItemStatus.ASSIGNED and lease_until is not None and lease_until >= now
