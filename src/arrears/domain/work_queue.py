"""The work queue's rules (工作队列), pure: what goes in a day's queue and in which order, and
who holds an item.

A day's queue is the day's stored plan when there is one (its calls in plan order, the plan's
reason and offer, the planned local hour as the best hour to call), else the latest aging run
(delinquent, open, no stop flag) in order of expected value: the propensity to pay from the
latest scores times the amount past due times the chance that a payment now still cures the
account, which halves with each 30 days past due (``CURE_HALF_LIFE_DAYS``). Early buckets cure
(a payment brings them back to current and stops the roll to charge-off); a 700-day account's
whole balance is past due, so propensity times amount alone put it first. Equal values go to the
earlier account (fewer days past due); accounts without scores come after the scored ones.
A plan stored later the same day rebuilds the waiting part of the queue (``build_needed``).

An item assigned to a collector is theirs until its lease runs out (``held``); nobody
else is handed it meanwhile, by the queue or by a due callback. A skipped item rests until
``rest_until``: a collector's skip carries one of ``COLLECTOR_SKIPS``; the queue skips an
account itself when nobody may call or text it now (``SkipReason.BLOCKED_NOW``).

Reasons are stored as codes with their values (``QueueReason``), never as words, so each page
words them in its own language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from arrears.domain.money import cents_text
from arrears.domain.vocabulary import NO_COLLECTION_FLAGS


class WorkItemStatus(StrEnum):
    OPEN = "open"  # waiting (or back: released, lease lapsed)
    ASSIGNED = "assigned"  # handed to a collector until the lease runs out
    DONE = "done"  # worked: a contact was logged on it while held


class SkipReason(StrEnum):
    """Why an account of the day's queue was skipped (labelled zh/en on the pages)."""

    CUSTOMER_BUSY = "customer_busy"  # asked to be called later
    NEEDS_REVIEW = "needs_review"  # the data or the case needs a lead's look first
    DISPUTE_PENDING = "dispute_pending"  # a dispute or complaint is being handled
    OTHER = "other"
    NOT_WORKED = "not_worked"  # put back (next account) without a contact logged
    BLOCKED_NOW = "blocked_now"  # the queue: the gate allows no call or text now


COLLECTOR_SKIPS: tuple[SkipReason, ...] = (SkipReason.CUSTOMER_BUSY, SkipReason.NEEDS_REVIEW,
                                           SkipReason.DISPUTE_PENDING, SkipReason.OTHER)


def rest_until(now: datetime, rest: timedelta | None) -> datetime:
    """Until when a skipped account rests: ``rest`` from now, or (None) until the next full hour,
    when what the gate allows may have changed (quiet hours end on the hour)."""
    if rest is not None:
        return now + rest
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class ReasonKind(StrEnum):
    PLAN = "plan"
    EXPECTED_VALUE = "expected_value"
    UNSCORED = "unscored"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class QueueReason:
    """Why an account is in the queue, as a code and its values (the pages word it)."""

    kind: ReasonKind
    values: dict[str, Any] = field(default_factory=dict)

    def stored(self) -> str:
        return json.dumps({"kind": str(self.kind), **self.values}, ensure_ascii=False, sort_keys=True)

    @staticmethod
    def read(text: str | None) -> QueueReason | None:
        """The stored reason; None for text stored before reasons were codes."""
        try:
            data = json.loads(text or "")
            return QueueReason(ReasonKind(data.pop("kind")), data)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


CALLBACK_REASON = QueueReason(ReasonKind.CALLBACK).stored()


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
    propensity: float | None = None  # of the latest scores; None when the account has none


EV_CAP_YUAN = 2_000_000  # priorities are 32-bit: the expected value (yuan) times 1,000 plus the DPD tie-break
CURE_HALF_LIFE_DAYS = 30  # the chance that a payment cures the account halves with each month past due


def cure_chance(dpd: int) -> float:
    """How much of a payment's value is a cure: 1 when just due, ½ at 30 days, ¼ at 60..."""
    return float(0.5 ** (max(dpd, 0) / CURE_HALF_LIFE_DAYS))


def expected_value_cents(account: AgedAccount) -> int | None:
    """Propensity to pay times the amount past due times the cure chance, in cents; None without
    a score."""
    if account.propensity is None:
        return None
    return int(max(0.0, min(1.0, account.propensity)) * account.past_due_cents * cure_chance(account.dpd))


def priority(account: AgedAccount) -> int:
    """Larger first: the expected value, then fewer days past due; unscored accounts after all
    scored ones (negative), fewer days past due first."""
    dpd_rank = 999 - min(account.dpd, 999)
    value = expected_value_cents(account)
    if value is None:
        return -1_000 + dpd_rank
    return min(value // 100, EV_CAP_YUAN) * 1_000 + dpd_rank


def _reason(account: AgedAccount) -> QueueReason:
    common = {"dpd": account.dpd, "bucket": account.bucket, "past_due": cents_text(account.past_due_cents)}
    value = expected_value_cents(account)
    if value is None or account.propensity is None:
        return QueueReason(ReasonKind.UNSCORED, common)
    return QueueReason(ReasonKind.EXPECTED_VALUE, {**common, "expected": cents_text(value),
                                                   "propensity": f"{account.propensity:.2f}",
                                                   "cure": f"{cure_chance(account.dpd):.2f}"})


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
        offer = "" if call.offer == "none" else call.offer
        reason = QueueReason(ReasonKind.PLAN, {"text": call.reason, "offer": offer})
        items[call.account_id] = WorkItem(day, call.account_id, len(calls) - call.position, reason.stored(), hour)
    return list(items.values())


def items_from_aging(day: date, accounts: Iterable[AgedAccount]) -> list[WorkItem]:
    """An item for each delinquent account without a flag that stops collection, in order of
    expected value (``priority``)."""
    return [
        WorkItem(day, a.account_id, priority(a), _reason(a).stored(), best_hour(a.preferred_hours))
        for a in accounts
        if a.dpd > 0 and not set(filter(None, a.flags.split(";"))) & NO_COLLECTION_FLAGS
    ]


def held(status: str, lease_until: datetime | None, now: datetime) -> bool:
    """The holding rule: an item assigned to a collector is theirs until its lease runs out.
    (The SQL adapter states the same rule as a condition of its one UPDATE.)"""
    return status == WorkItemStatus.ASSIGNED and lease_until is not None and lease_until >= now


def build_needed(built: bool, built_version: int | None, plan_version: int | None) -> bool:
    """Whether the day's queue is (re)built: not built yet, or a plan stored since it was."""
    return not built or (plan_version is not None and plan_version != built_version)
