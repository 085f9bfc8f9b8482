"""The work queue: today's list and "next account", each account held by one collector at a time.

The writes are commands, each handled by one function on a ``queue_ports.WorkQueue`` (a unit
of work): ``BuildQueue`` (the day's queue, built once, and its waiting part rebuilt when a plan
is stored later that day: ``domain.work_queue`` says what goes in it and in which order),
``TakeNext`` (put back what I hold, resting it, then a callback of mine due now, else the top
of the queue; an account nobody may call or text now is skipped and rests, and when every
account tried is so the answer says why), ``Skip`` (a collector's skip, with its reason, rests
the account) and ``Release``. The holding rule (``domain.work_queue.held``) decides who may be
handed what; the SQL adapter applies it in one conditional UPDATE, so two collectors asking at
once never get the same account. In-house collectors are handed in-house accounts only, an
agency's collectors only that agency's (``principal.AccountScope.works``). The functions taking
a ``Workbench`` are what the API and the pages call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from arrears.adapters.storage.queue_repository import SqlWorkQueue, qualification
from arrears.domain.access import Permission, may_take_work
from arrears.domain.work_queue import (
    CALLBACK_REASON,
    COLLECTOR_SKIPS,
    SkipReason,
    WorkItem,
    build_needed,
    items_from_aging,
    items_from_plan,
    rest_until,
)
from arrears.services.contact_gate_port import GateVerdict
from arrears.services.workbench.channel_status import reachable_now
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import ContactBlocked, InvalidInput, NotEligible, NotFound
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue_ports import Reach, WorkQueue

ATTEMPTS = 50  # a busy SQLite snapshot is tried again this many times
TRIED = 25  # accounts tried for one "next account" before answering that nobody may be contacted now


@dataclass(frozen=True, slots=True)
class TakeNext:
    """Hand the next account of ``day`` to ``principal``, held until ``now + lease``."""

    principal: Principal
    day: date
    now: datetime
    lease: timedelta
    rest: timedelta | None = None  # how long a skipped account rests (None: until the next full hour)


@dataclass(frozen=True, slots=True)
class Skip:
    """``principal`` skips the account they hold, for ``reason``; it rests (``rest``, None: until
    the next full hour) and is not handed out again meanwhile."""

    principal: Principal
    day: date
    account_id: str
    reason: SkipReason
    now: datetime
    rest: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """Put back the account ``principal`` holds in the queue of ``day``."""

    principal: Principal
    day: date
    account_id: str


@dataclass(frozen=True, slots=True)
class BuildQueue:
    """Build the queue of ``day`` unless it has one (idempotent; concurrent builders agree); a
    plan of the day stored since the queue was built rebuilds its waiting part."""

    day: date
    now: datetime


def _items(queue: WorkQueue, day: date) -> list[WorkItem]:
    items = items_from_plan(day, queue.planned_calls(day))
    aging_day = None if items else queue.latest_aging_day()
    if aging_day is not None:
        items = items_from_aging(day, queue.aged_accounts(aging_day))
    return items


def build_queue(queue: WorkQueue, command: BuildQueue) -> int:
    """The day's queue size, after building it from the day's plan or the latest aging run.
    Read, then stored in a second transaction that keeps the first builder's items."""
    day = command.day
    with queue:
        built, built_version = queue.built(day)
        plan_version = queue.plan_version(day)
        if not build_needed(built, built_version, plan_version):
            return queue.size(day)
        items = _items(queue, day)
    if not items and not built:
        return 0
    now = command.now
    with queue:
        if built and plan_version is not None:
            stored = queue.rebuild_waiting(day, items, plan_version, now)
        else:
            stored = queue.store(day, items, plan_version, now)
        queue.commit()
    return stored


def check_qualified(queue: WorkQueue, principal: Principal, day: date) -> None:
    """NotEligible unless the collector's training and their agency's mandate are valid on ``day``."""
    with queue:
        training, mandate = queue.qualification(principal.agent_id or "", principal.agency_id or "")
    judge_qualification(principal, training, mandate, day)


def judge_qualification(principal: Principal, training: date | None, mandate: date | None, day: date) -> None:
    """NotEligible unless ``training`` and ``mandate`` (the agency's) are valid on ``day``."""
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
    for account_id in returned:  # put back without a contact: it rests, so two accounts never alternate
        queue.skip(day, account_id, user_id=user, reason=SkipReason.NOT_WORKED, now=now,
                   rest_until=rest_until(now, command.rest))
    for account_id in queue.due_callbacks(user, command.principal.scope, now):
        if queue.claim_account(user, day, account_id, now, until):
            return {"account_id": account_id, "reason": CALLBACK_REASON, "priority": None, "best_hour": None,
                    "callback": True}
    row = queue.claim_top(user, command.principal.scope, day, now, lease_until=until, skip=returned)
    return None if row is None else {**row, "callback": False}


def _once(queue: WorkQueue, command: TakeNext) -> dict[str, Any] | None:
    """One hand-out in one transaction, tried again when another writer won the race."""
    for attempt in range(ATTEMPTS):
        try:
            with queue:
                handed = _hand_out(queue, command)
                queue.commit()
                return handed
        except queue.busy:
            time.sleep(0.01 * (attempt + 1))
    raise RuntimeError("the queue stayed busy")


def _rest_blocked(queue: WorkQueue, command: TakeNext, account_id: str) -> None:
    """Nobody may contact the account now: put it back, resting until the next hour (or ``rest``)."""
    with queue:
        queue.release(command.principal.user_id, command.day, account_id)
        queue.skip(command.day, account_id, user_id=None, reason=SkipReason.BLOCKED_NOW, now=command.now,
                   rest_until=rest_until(command.now, command.rest))
        queue.commit()


def take_next(queue: WorkQueue, command: TakeNext, reach: Reach | None = None) -> dict[str, Any] | None:
    """A callback due now first, else the queue's top; None when nothing is free. With ``reach``,
    an account nobody may call or text now is put back to rest and the next one tried; when the
    ``TRIED`` accounts tried are all so, ``ContactBlocked`` says so with the gate's reasons."""
    command.principal.require(Permission.TAKE_WORK)
    check_qualified(queue, command.principal, command.day)
    build_queue(queue, BuildQueue(command.day, command.now))
    blocked: list[GateVerdict] = []
    for _ in range(TRIED):
        handed = _once(queue, command)
        if handed is None or reach is None:
            break
        verdict = reach(handed["account_id"], command.now)
        if verdict.decision != "deny":
            return handed
        blocked.append(verdict)
        _rest_blocked(queue, command, handed["account_id"])
    else:
        handed = None
    if handed is None and blocked:
        raise _nobody_contactable(blocked)
    return handed


def _nobody_contactable(blocked: list[GateVerdict]) -> ContactBlocked:
    reasons = tuple(dict.fromkeys(reason for verdict in blocked for reason in verdict.reasons))
    rules = tuple(dict.fromkeys(rule for verdict in blocked for rule in verdict.rules))
    count = len(blocked)
    return ContactBlocked(
        f"现在不能联系队列中的案件：试过的 {count} 个案件都不允许拨打或发短信，已暂缓到下一个整点",
        f"nobody in the queue may be contacted now: none of the {count} accounts tried may be called or "
        "texted; they rest until the next full hour",
        None, GateVerdict("deny", rules, reasons))


def skip_account(queue: WorkQueue, command: Skip) -> None:
    """Record a skip of the account ``principal`` holds, with its reason; the account goes back
    to the queue and rests. InvalidInput for a reason only the queue gives; NotFound unless held."""
    if command.reason not in COLLECTOR_SKIPS:
        raise InvalidInput("请选择跳过的原因", "choose why you skip the account", "reason")
    user = command.principal.user_id
    with queue:
        if not queue.holds(user, command.day, command.account_id, command.now):
            raise NotFound("你没有持有这个案件", "you do not hold this account", "account_id")
        queue.release(user, command.day, command.account_id)
        queue.skip(command.day, command.account_id, user_id=user, reason=command.reason, now=command.now,
                   rest_until=rest_until(command.now, command.rest))
        queue.commit()


def release_account(queue: WorkQueue, command: Release) -> None:
    with queue:
        released = queue.release(command.principal.user_id, command.day, command.account_id)
        queue.commit()
    if not released:
        raise NotFound("你没有持有这个案件", "you do not hold this account", "account_id")


def queue_overview(queue: WorkQueue, principal: Principal, day: date, now: datetime,
                   preview: int = 20) -> dict[str, Any]:
    principal.require(Permission.VIEW_ACCOUNTS)
    build_queue(queue, BuildQueue(day, now))
    with queue:
        return {"day": day, **queue.overview(principal.user_id, principal.scope, day, now, preview)}


# what the API and the pages call, on the workbench's database

def work_queue(wb: Workbench) -> WorkQueue:
    return SqlWorkQueue(wb.engine)


def ensure_queue(wb: Workbench, day: date) -> int:
    return build_queue(work_queue(wb), BuildQueue(day, wb.now()))


def check_may_take_work(wb: Workbench, principal: Principal) -> None:
    check_qualified(work_queue(wb), principal, wb.today())


def check_may_take_work_in(wb: Workbench, connection: Connection, principal: Principal) -> None:
    """``check_may_take_work`` on the caller's connection (one checkout for a whole request)."""
    training, mandate = qualification(connection, principal.agent_id or "", principal.agency_id or "")
    judge_qualification(principal, training, mandate, wb.today())


def next_account(wb: Workbench, principal: Principal) -> dict[str, Any] | None:
    """The next account (``take_next``), none that nobody may call or text now."""
    return take_next(work_queue(wb), TakeNext(principal, wb.today(), wb.now(), wb.lease, wb.skip_rest),
                     reachable_now(wb, principal))


def skip(wb: Workbench, principal: Principal, account_id: str, reason: str) -> None:
    try:
        why = SkipReason(reason)
    except ValueError:
        raise InvalidInput("请选择跳过的原因", "choose why you skip the account", "reason") from None
    skip_account(work_queue(wb), Skip(principal, wb.today(), account_id, why, wb.now(), wb.skip_rest))


def release(wb: Workbench, principal: Principal, account_id: str) -> None:
    release_account(work_queue(wb), Release(principal, wb.today(), account_id))


def my_queue(wb: Workbench, principal: Principal, preview: int = 20) -> dict[str, Any]:
    return queue_overview(work_queue(wb), principal, wb.today(), wb.now(), preview)


def holds(wb: Workbench, principal: Principal, account_id: str) -> bool:
    """Whether ``principal`` holds the account in today's queue now (the page offers a skip)."""
    held = work_queue(wb)
    with held:
        return held.holds(principal.user_id, wb.today(), account_id, wb.now())


def held_account(wb: Workbench, principal: Principal) -> str | None:
    """The account ``principal`` holds in today's queue now, if any (an inbound call taken meanwhile
    brings them back to it)."""
    queue = work_queue(wb)
    with queue:
        held = queue.held(principal.user_id, wb.today(), wb.now())
    return held[0] if held else None
