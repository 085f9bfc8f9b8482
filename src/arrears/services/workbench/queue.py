"""The work queue: today's list and "next account", each account held by one collector at a time.

The writes are commands, each handled by one function on a ``queue_ports.WorkQueue`` (a unit
of work): ``BuildQueue`` (the day's queue, built once: ``domain.work_queue`` says what goes in
it and in which order), ``TakeNext`` (put back what I hold, then a callback of mine due now,
else the top of the queue; an account I just put back is skipped) and ``Release``. The
holding rule (``domain.work_queue.held``) decides who may be handed what; the SQL adapter
applies it in one conditional UPDATE, so two collectors asking at once never get the same
account. The functions taking a ``Workbench`` are what the API and the pages call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from arrears.adapters.storage.queue_repository import SqlWorkQueue
from arrears.domain.access import Permission, may_take_work
from arrears.domain.work_queue import items_from_aging, items_from_plan
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import NotEligible, NotFound
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue_ports import WorkQueue

ATTEMPTS = 50  # a busy SQLite snapshot is tried again this many times


@dataclass(frozen=True, slots=True)
class BuildQueue:
    """Build the queue of ``day`` unless it has one (idempotent; concurrent builders agree)."""

    day: date


@dataclass(frozen=True, slots=True)
class TakeNext:
    """Hand the next account of ``day`` to ``principal``, held until ``now + lease``."""

    principal: Principal
    day: date
    now: datetime
    lease: timedelta


@dataclass(frozen=True, slots=True)
class Release:
    """Put back the account ``principal`` holds in the queue of ``day``."""

    principal: Principal
    day: date
    account_id: str


def build_queue(queue: WorkQueue, command: BuildQueue) -> int:
    """The day's queue size, after building it from the day's plan or the latest aging run.
    Read, then stored in a second transaction that keeps the first builder's items."""
    day = command.day
    with queue:
        size = queue.size(day)
        if size:
            return size
        items = items_from_plan(day, queue.planned_calls(day))
        aging_day = None if items else queue.latest_aging_day()
        if aging_day is not None:
            items = items_from_aging(day, queue.aged_accounts(aging_day))
    if not items:
        return 0
    with queue:
        stored = queue.store(day, items)
        queue.commit()
    return stored


def check_qualified(queue: WorkQueue, principal: Principal, day: date) -> None:
    """NotEligible unless the collector's training and their agency's mandate are valid on ``day``."""
    with queue:
        training, mandate = queue.qualification(principal.agent_id or "", principal.agency_id or "")
    verdict = may_take_work(principal.role, training, mandate, principal.is_agency_user, day)
    if not verdict.allowed:
        raise NotEligible(
            "；".join(r.zh for r in verdict.refusals), "; ".join(r.en for r in verdict.refusals),
            rules=tuple(r.rule_id for r in verdict.refusals),
        )


def _hand_out(queue: WorkQueue, command: TakeNext) -> dict[str, Any] | None:
    user, day, now = command.principal.user_id, command.day, command.now
    until = now + command.lease
    returned = queue.release_held(user, day, now)
    for account_id in queue.due_callbacks(user, command.principal.scope, now):
        if queue.claim_account(user, day, account_id, now, until):
            return {"account_id": account_id, "reason": "约定回电时间已到 / a callback is due",
                    "priority": None, "best_hour": None, "callback": True}
    row = queue.claim_top(user, command.principal.scope, day, now, lease_until=until, skip=returned)
    return None if row is None else {**row, "callback": False}


def take_next(queue: WorkQueue, command: TakeNext) -> dict[str, Any] | None:
    """A callback due now first, else the queue's top; None when nothing is free. One
    transaction, tried again when another writer won the race."""
    command.principal.require(Permission.TAKE_WORK)
    check_qualified(queue, command.principal, command.day)
    build_queue(queue, BuildQueue(command.day))
    for attempt in range(ATTEMPTS):
        try:
            with queue:
                handed = _hand_out(queue, command)
                queue.commit()
                return handed
        except queue.busy:
            time.sleep(0.01 * (attempt + 1))
    raise RuntimeError("the queue stayed busy")


def release_account(queue: WorkQueue, command: Release) -> None:
    with queue:
        released = queue.release(command.principal.user_id, command.day, command.account_id)
        queue.commit()
    if not released:
        raise NotFound("你没有持有这个案件", "you do not hold this account", "account_id")


def queue_overview(queue: WorkQueue, principal: Principal, day: date, now: datetime,
                   preview: int = 20) -> dict[str, Any]:
    principal.require(Permission.VIEW_ACCOUNTS)
    build_queue(queue, BuildQueue(day))
    with queue:
        return {"day": day, **queue.overview(principal.user_id, principal.scope, day, now, preview)}


# what the API and the pages call, on the workbench's database

def work_queue(wb: Workbench) -> WorkQueue:
    return SqlWorkQueue(wb.engine)


def ensure_queue(wb: Workbench, day: date) -> int:
    return build_queue(work_queue(wb), BuildQueue(day))


def check_may_take_work(wb: Workbench, principal: Principal) -> None:
    check_qualified(work_queue(wb), principal, wb.today())


def next_account(wb: Workbench, principal: Principal) -> dict[str, Any] | None:
    return take_next(work_queue(wb), TakeNext(principal, wb.today(), wb.now(), wb.lease))


def release(wb: Workbench, principal: Principal, account_id: str) -> None:
    release_account(work_queue(wb), Release(principal, wb.today(), account_id))


def my_queue(wb: Workbench, principal: Principal, preview: int = 20) -> dict[str, Any]:
    return queue_overview(work_queue(wb), principal, wb.today(), wb.now(), preview)
