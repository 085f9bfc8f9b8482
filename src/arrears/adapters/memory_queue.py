"""An in-memory work queue (tests): the same ``services.workbench.queue_ports.WorkQueue`` the
SQL adapter is, with the holding rule of ``domain.work_queue.held``. What the queue is built
from (the day's plan, the latest aging run), the callbacks, the contacts logged, the accounts'
agencies and the collectors' qualifications are given as plain data."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Self

from arrears.domain.work_queue import (
    CALLBACK_REASON,
    AgedAccount,
    PlannedCall,
    SkipReason,
    WorkItem,
    WorkItemStatus,
    held,
)


@dataclass
class StoredItem:
    item: WorkItem
    number: int  # insertion order, the tie-break of equal priorities
    status: WorkItemStatus = WorkItemStatus.OPEN
    assigned_to: str | None = None
    assigned_at: datetime | None = None
    lease_until: datetime | None = None


@dataclass
class Callback:
    owner: str
    account_id: str
    due_at: datetime
    status: str = "open"


@dataclass
class MemoryWorkQueue:
    plans: dict[date, list[PlannedCall]] = field(default_factory=dict)
    aging: dict[date, list[AgedAccount]] = field(default_factory=dict)
    callbacks: list[Callback] = field(default_factory=list)
    logged: list[tuple[str, str, datetime]] = field(default_factory=list)  # account, user, at
    agency_of: dict[str, str] = field(default_factory=dict)  # account -> agency
    qualifications: dict[str, date] = field(default_factory=dict)  # agent or agency id -> valid until
    items: dict[tuple[date, str], StoredItem] = field(default_factory=dict)
    plan_versions: dict[date, int] = field(default_factory=dict)
    builds: dict[date, int | None] = field(default_factory=dict)  # day -> the plan version it was built from
    skips: list[tuple[date, str, str | None, SkipReason, datetime, datetime]] = field(default_factory=list)
    busy: tuple[type[Exception], ...] = ()
    commits: int = 0

    def __post_init__(self) -> None:
        self._committed = copy.deepcopy((self.items, self.builds, self.skips))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.items, self.builds, self.skips = copy.deepcopy(self._committed)

    def commit(self) -> None:
        self._committed = copy.deepcopy((self.items, self.builds, self.skips))
        self.commits += 1

    def _day(self, day: date) -> list[StoredItem]:
        return [s for (d, _a), s in self.items.items() if d == day]

    def _visible(self, account_id: str, scope: Any) -> bool:
        """In the user's work: an agency's users, the agency's accounts; in-house users, in-house ones."""
        return self.agency_of.get(account_id) == (scope.agency_id or None)

    def _resting(self, account_id: str, now: datetime, day: date | None = None) -> bool:
        return any(a == account_id and (day is None or d == day) and until > now
                   for d, a, _u, _r, _at, until in self.skips)

    def _add(self, item: WorkItem) -> None:
        key = (item.queue_date, item.account_id)
        if key not in self.items:
            self.items[key] = StoredItem(item, max((s.number for s in self.items.values()), default=0) + 1)

    def size(self, day: date) -> int:
        return len(self._day(day))

    def built(self, day: date) -> tuple[bool, int | None]:
        if day in self.builds:
            return True, self.builds[day]
        return bool(self.size(day)), None

    def plan_version(self, day: date) -> int | None:
        return self.plan_versions.get(day)

    def latest_aging_day(self) -> date | None:
        return max(self.aging, default=None)

    def planned_calls(self, day: date) -> list[PlannedCall]:
        return sorted(self.plans.get(day, []), key=lambda c: c.position)

    def aged_accounts(self, aging_day: date) -> list[AgedAccount]:
        return [a for a in self.aging.get(aging_day, []) if a.dpd > 0]

    def store(self, day: date, items: Sequence[WorkItem], plan_version: int | None, _now: datetime) -> int:
        if self.size(day) or not items:
            return self.size(day)
        for item in sorted(items, key=lambda i: i.account_id):
            self._add(item)
        self.builds[day] = plan_version
        return len(items)

    def rebuild_waiting(self, day: date, items: Sequence[WorkItem], plan_version: int, now: datetime) -> int:
        if self.built(day) == (True, plan_version):
            return self.size(day)
        for key, s in list(self.items.items()):
            if key[0] == day and s.status is not WorkItemStatus.DONE and not held(s.status, s.lease_until, now):
                del self.items[key]
        for item in sorted(items, key=lambda i: i.account_id):
            self._add(item)
        self.builds[day] = plan_version
        return self.size(day)

    def skip(self, day: date, account_id: str, *, user_id: str | None, reason: SkipReason, now: datetime,
             rest_until: datetime) -> None:
        self.skips.append((day, account_id, user_id, reason, now, rest_until))

    def holds(self, user_id: str, day: date, account_id: str, now: datetime) -> bool:
        s = self.items.get((day, account_id))
        return s is not None and s.assigned_to == user_id and held(s.status, s.lease_until, now)

    def held(self, user_id: str, day: date, now: datetime) -> list[str]:
        return sorted(s.item.account_id for s in self._day(day)
                      if s.assigned_to == user_id and held(s.status, s.lease_until, now))

    def qualification(self, agent_id: str, agency_id: str) -> tuple[date | None, date | None]:
        return self.qualifications.get(agent_id), self.qualifications.get(agency_id)

    def release_held(self, user_id: str, day: date, _now: datetime) -> list[str]:
        mine = [s for s in self._day(day) if s.status is WorkItemStatus.ASSIGNED and s.assigned_to == user_id]
        for s in mine:
            worked = any(a == s.item.account_id and u == user_id and s.assigned_at is not None and at >= s.assigned_at
                         for a, u, at in self.logged)
            s.status, s.assigned_to, s.lease_until = WorkItemStatus.DONE if worked else WorkItemStatus.OPEN, None, None
        return [s.item.account_id for s in mine if s.status is WorkItemStatus.OPEN]

    def due_callbacks(self, user_id: str, scope: Any, now: datetime) -> list[str]:
        due = sorted((c.due_at, c.account_id) for c in self.callbacks
                     if c.owner == user_id and c.status == "open" and c.due_at <= now
                     and self._visible(c.account_id, scope) and not self._resting(c.account_id, now))
        return list(dict.fromkeys(account_id for _at, account_id in due))[:20]

    def _assign(self, s: StoredItem, user_id: str, now: datetime, lease_until: datetime) -> None:
        s.status, s.assigned_to, s.assigned_at, s.lease_until = WorkItemStatus.ASSIGNED, user_id, now, lease_until

    def claim_account(self, user_id: str, day: date, account_id: str, now: datetime, lease_until: datetime) -> bool:
        self._add(WorkItem(day, account_id, 0, CALLBACK_REASON, None))
        s = self.items[(day, account_id)]
        if held(s.status, s.lease_until, now):
            return False
        self._assign(s, user_id, now, lease_until)
        return True

    def claim_top(self, user_id: str, scope: Any, day: date, now: datetime, *, lease_until: datetime,
                  skip: Sequence[str]) -> dict[str, Any] | None:
        free = [s for s in self._day(day)
                if s.status is not WorkItemStatus.DONE and not held(s.status, s.lease_until, now)
                and s.item.account_id not in skip and self._visible(s.item.account_id, scope)
                and not self._resting(s.item.account_id, now, day)]
        if not free:
            return None
        top = min(free, key=lambda s: (-s.item.priority, s.number))
        self._assign(top, user_id, now, lease_until)
        i = top.item
        return {"account_id": i.account_id, "reason": i.reason, "priority": i.priority, "best_hour": i.best_hour}

    def release(self, user_id: str, day: date, account_id: str) -> bool:
        s = self.items.get((day, account_id))
        if s is None or s.status is not WorkItemStatus.ASSIGNED or s.assigned_to != user_id:
            return False
        s.status, s.assigned_to, s.lease_until = WorkItemStatus.OPEN, None, None
        return True

    def overview(self, user_id: str, scope: Any, day: date, now: datetime, preview: int) -> dict[str, Any]:
        visible = [s for s in self._day(day) if self._visible(s.item.account_id, scope)]
        mine = [s for s in visible if s.status is WorkItemStatus.ASSIGNED and s.assigned_to == user_id
                and s.lease_until is not None and s.lease_until >= now]
        waiting = sorted((s for s in visible if s.status is WorkItemStatus.OPEN),
                         key=lambda s: (-s.item.priority, s.number))[:preview]
        counts = {str(status): sum(s.status is status for s in visible) for status in WorkItemStatus}
        return {"held": [{"account_id": s.item.account_id} for s in mine],
                "waiting": [{"account_id": s.item.account_id, "priority": s.item.priority} for s in waiting],
                "counts": counts}
