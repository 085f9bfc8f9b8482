"""The work queue: today's list and "next account", each account held by one collector at a time.

Today's queue is the day's stored plan (``arrears plan --store``): its calls, in plan order,
with the plan's reason and offer and the planned local hour as the best hour to call. On a
day without a stored plan it falls back to the latest aging run (delinquent, open, no stop
flag), highest days past due first. The first requests of a day may build it at the same
time: a builder takes the day's build lock (PostgreSQL), stores the items only if the day has
none, and inserts them with ``ON CONFLICT DO NOTHING`` in account order, so the build is
idempotent and concurrent builders agree on what is there.

One holding rule (``_not_held``): an account is held by the collector its item is assigned
to until the lease runs out; nobody else is handed it meanwhile, by the queue or by a due
callback. Handing out is one conditional UPDATE that re-checks that rule: the queue picks
its item with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (retried when SQLite reports a busy
snapshot); a due callback claims its account's item (made for the day if the account is
not in the queue), and is skipped while someone else holds it.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.planning_tables import plan_attempts
from arrears.adapters.storage.workbench_tables import follow_ups, logged_contacts, work_items
from arrears.domain.access import Permission, may_take_work
from arrears.domain.money import cents_text
from arrears.domain.vocabulary import NO_COLLECTION_FLAGS
from arrears.services.workbench.accounts import latest_aging_day
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import NotEligible, NotFound
from arrears.services.workbench.principal import Principal

w = work_items.c


def _priority(dpd: int, past_due_cents: int) -> int:
    return min(dpd, 999) * 10_000 + min(past_due_cents // 10_000, 9_999)


def _best_hour(preferred_hours: str | None) -> int | None:
    if not preferred_hours:
        return None
    head = preferred_hours.split("-")[0].split(":")[0]
    return int(head) if head.isdigit() else None


def _planned_calls(wb: Workbench, day: date) -> list[tuple[Any, ...]]:
    """Work items from the day's stored plan: one per account, its first planned call."""
    p, c = plan_attempts.c, t.customers.c
    query = (select(p.account_id, p.position, p.scheduled_at, p.reason, p.offer, c.timezone)
             .join(t.customers, c.customer_id == p.customer_id)
             .where(p.plan_date == day, p.channel == "call").order_by(p.position))
    rows: dict[str, tuple[Any, ...]] = {}
    with wb.engine.connect() as connection:
        planned = connection.execute(query).all()
    for r in planned:
        if r.account_id in rows:
            continue
        at = r.scheduled_at if r.scheduled_at.tzinfo else r.scheduled_at.replace(tzinfo=UTC)
        hour = at.astimezone(ZoneInfo(r.timezone)).hour
        offer = "" if r.offer == "none" else f" · 方案 {r.offer}"
        rows[r.account_id] = (day, r.account_id, len(planned) - r.position, f"计划 plan: {r.reason}{offer}",
                              hour, "open")
    return list(rows.values())


def ensure_queue(wb: Workbench, day: date) -> int:
    """Build the day's queue once (idempotent; concurrent builders agree). Returns its size."""
    with wb.engine.connect() as connection:
        size = connection.execute(select(func.count()).where(w.queue_date == day)).scalar_one()
        if size:
            return size
        aging_day = latest_aging_day(connection)
    planned = _planned_calls(wb, day)
    if planned:
        return _store_queue(wb, planned)
    if aging_day is None:
        return 0
    a, g, c = t.accounts.c, t.account_aging.c, t.customers.c
    query = (select(a.account_id, a.flags, g.dpd, g.bucket, g.past_due_cents, c.preferred_hours)
             .join(t.account_aging, (g.account_id == a.account_id) & (g.as_of == aging_day))
             .join(t.customers, c.customer_id == a.customer_id)
             .where(a.in_portfolio.is_(True), a.status == "open", g.dpd > 0))
    rows = []
    with wb.engine.connect() as connection:
        for r in connection.execute(query):
            if set(filter(None, r.flags.split(";"))) & NO_COLLECTION_FLAGS:
                continue
            reason = f"逾期 {r.dpd} 天 · 账龄 {r.bucket} · 逾期金额 {cents_text(r.past_due_cents)}"
            rows.append((day, r.account_id, _priority(r.dpd, r.past_due_cents), reason,
                         _best_hour(r.preferred_hours), "open"))
    return _store_queue(wb, rows)


QUEUE_COLUMNS = ("queue_date", "account_id", "priority", "reason", "best_hour", "status")
QUEUE_BUILD_LOCK = 0x51_55_45  # with the day's ordinal: the key of a day's build (PostgreSQL advisory lock)


def _store_queue(wb: Workbench, rows: list[tuple[Any, ...]]) -> int:
    """Insert the day's items unless they are there. Concurrent builders take the day's lock
    (PostgreSQL; SQLite has one writer at a time anyway) and find the items the first one
    stored; the insert skips an item the day already has, and goes in account order, so
    builders that do insert at once never wait on each other in a cycle."""
    if not rows:
        return 0
    day = rows[0][0]
    with wb.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(QUEUE_BUILD_LOCK, day.toordinal())))
        stored = connection.execute(select(func.count()).where(w.queue_date == day)).scalar_one()
        if stored:
            return stored
        connection.execute(_insert_new(connection), [dict(zip(QUEUE_COLUMNS, row, strict=True))
                                                     for row in sorted(rows, key=lambda row: row[1])])
    return len(rows)


def _insert_new(connection: Connection) -> Any:
    """INSERT into work_items that skips an item the day already has (queue_date, account_id)."""
    dialect_insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return dialect_insert(work_items).on_conflict_do_nothing(index_elements=["queue_date", "account_id"])


def check_may_take_work(wb: Workbench, principal: Principal) -> None:
    with wb.engine.connect() as connection:
        training = connection.execute(select(t.agents.c.training_valid_until).where(
            t.agents.c.agent_id == (principal.agent_id or ""))).scalar()
        mandate = connection.execute(select(t.agencies.c.authorized_until).where(
            t.agencies.c.agency_id == (principal.agency_id or ""))).scalar()
    verdict = may_take_work(principal.role, training, mandate, principal.is_agency_user, wb.today())
    if not verdict.allowed:
        raise NotEligible(
            "；".join(r.zh for r in verdict.refusals), "; ".join(r.en for r in verdict.refusals),
            rules=tuple(r.rule_id for r in verdict.refusals),
        )


def _not_held(now: datetime) -> ColumnElement[bool]:
    """The holding rule: an item assigned to a collector is theirs until its lease runs out."""
    return or_(w.status != "assigned", w.lease_until < now)


def _free(now: datetime) -> ColumnElement[bool]:
    """In the queue and held by no one (done items are not handed out by the queue)."""
    return and_(w.status != "done", _not_held(now))


def _release_held(connection: Connection, principal: Principal, day: date, now: datetime) -> list[str]:
    """Items I hold go back to the queue (for someone else), or are done when I logged a contact on them."""
    worked = exists().where(logged_contacts.c.account_id == w.account_id,
                            logged_contacts.c.user_id == principal.user_id,
                            logged_contacts.c.at >= w.assigned_at)
    held = and_(w.queue_date == day, w.status == "assigned", w.assigned_to == principal.user_id)
    returned = list(connection.execute(select(w.account_id).where(held)).scalars())
    connection.execute(update(work_items).where(held, worked).values(status="done", done_at=now))
    connection.execute(update(work_items).where(held).values(status="open", assigned_to=None, lease_until=None))
    return returned


def _due_callbacks(connection: Connection, principal: Principal, now: datetime) -> list[str]:
    """My callbacks due now, earliest first (each account once)."""
    f = follow_ups.c
    query = (select(f.account_id, func.min(f.due_at).label("due")).where(
        f.owner_user_id == principal.user_id, f.status == "open", f.due_at <= now)
        .group_by(f.account_id).order_by("due", f.account_id).limit(20))
    return list(connection.execute(principal.scope.restrict(query, f.account_id)).scalars())


def _claim_callback(connection: Connection, principal: Principal, day: date, now: datetime, *,
                    lease_until: datetime) -> str | None:
    """The first account of a due callback of mine that no one else holds, now held by me."""
    for account_id in _due_callbacks(connection, principal, now):
        connection.execute(_insert_new(connection), [{
            "queue_date": day, "account_id": account_id, "priority": 0, "reason": "约定回电 / callback",
            "best_hour": None, "status": "open"}])
        claimed = connection.execute(
            update(work_items).where(w.queue_date == day, w.account_id == account_id, _not_held(now))
            .values(status="assigned", assigned_to=principal.user_id, assigned_at=now, lease_until=lease_until))
        if claimed.rowcount:
            return account_id
    return None


def _claim(connection: Connection, principal: Principal, day: date, now: datetime, *, lease_until: datetime,
           skip: list[str]) -> Any:
    pick = principal.scope.restrict(
        select(w.item_id).where(w.queue_date == day, _free(now), w.account_id.not_in(skip))
        .order_by(w.priority.desc(), w.item_id).limit(1),
        w.account_id,
    )
    if connection.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True, of=work_items)
    claim = (update(work_items).where(w.item_id == pick.scalar_subquery(), _free(now))
             .values(status="assigned", assigned_to=principal.user_id, assigned_at=now, lease_until=lease_until)
             .returning(w.account_id, w.reason, w.priority, w.best_hour))
    return connection.execute(claim).first()


def next_account(wb: Workbench, principal: Principal) -> dict[str, Any] | None:
    """Hand the next account to this collector: a callback due now first, else the queue's top."""
    principal.require(Permission.TAKE_WORK)
    check_may_take_work(wb, principal)
    day, now = wb.today(), wb.now()
    ensure_queue(wb, day)
    for attempt in range(50):
        try:
            with wb.engine.begin() as connection:
                returned = _release_held(connection, principal, day, now)
                callback = _claim_callback(connection, principal, day, now, lease_until=now + wb.lease)
                if callback:
                    return {"account_id": callback, "reason": "约定回电时间已到 / a callback is due",
                            "priority": None, "best_hour": None, "callback": True}
                row = _claim(connection, principal, day, now, lease_until=now + wb.lease, skip=returned)
                return None if row is None else {**row._asdict(), "callback": False}
        except OperationalError:  # SQLite: another writer committed after our snapshot; try again
            time.sleep(0.01 * (attempt + 1))
    raise OperationalError("next account", {}, Exception("the queue stayed busy"))


def release(wb: Workbench, principal: Principal, account_id: str) -> None:
    with wb.engine.begin() as connection:
        result = connection.execute(update(work_items).where(
            w.queue_date == wb.today(), w.account_id == account_id, w.assigned_to == principal.user_id,
            w.status == "assigned").values(status="open", assigned_to=None, lease_until=None))
    if not result.rowcount:
        raise NotFound("你没有持有这个案件", "you do not hold this account", "account_id")


def my_queue(wb: Workbench, principal: Principal, preview: int = 20) -> dict[str, Any]:
    principal.require(Permission.VIEW_ACCOUNTS)
    day, now = wb.today(), wb.now()
    ensure_queue(wb, day)
    a, c = t.accounts.c, t.customers.c
    base = (select(w.account_id, w.priority, w.reason, w.best_hour, w.status, w.lease_until, a.past_due_cents,
                   a.currency, c.name_masked)
            .join(t.accounts, a.account_id == w.account_id).join(t.customers, c.customer_id == a.customer_id)
            .where(w.queue_date == day, principal.scope.accounts()))
    with wb.engine.connect() as connection:
        held = connection.execute(base.where(w.status == "assigned", w.assigned_to == principal.user_id,
                                             w.lease_until >= now)).mappings().all()
        waiting = connection.execute(base.where(w.status == "open")  # the index order; lapsed leases come back
                                     .order_by(w.priority.desc(), w.item_id).limit(preview)).mappings().all()
        counts = dict(connection.execute(principal.scope.restrict(
            select(w.status, func.count()).where(w.queue_date == day).group_by(w.status), w.account_id)).all())
    return {"day": day, "held": [dict(r) for r in held], "waiting": [dict(r) for r in waiting],
            "counts": {"open": counts.get("open", 0), "assigned": counts.get("assigned", 0),
                       "done": counts.get("done", 0)}}
