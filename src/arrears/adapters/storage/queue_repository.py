"""The work queue on a database (``services.workbench.queue_ports.WorkQueue``).

Handing out is one conditional UPDATE that re-checks the holding rule (``_not_held``, the SQL
form of ``domain.work_queue.held``): the queue picks its item with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL (SQLite has one writer at a time; a busy snapshot raises ``OperationalError``,
which ``busy`` names so that the use case tries again); a due callback claims its account's
item (made for the day if the account is not in the queue). A day's items are stored under
the day's build lock (a PostgreSQL advisory lock) only if the day has none, and inserted with
``ON CONFLICT DO NOTHING`` in account order, so concurrent builders never wait on each other
in a cycle and agree on what is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, exists, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.planning_tables import plan_attempts, plan_days
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.adapters.storage.workbench_tables import follow_ups, queue_builds, queue_skips, work_items
from arrears.domain.work_queue import (
    CALLBACK_REASON,
    AgedAccount,
    PlannedCall,
    SkipReason,
    WorkItem,
    WorkItemStatus,
)

w = work_items.c
QUEUE_BUILD_LOCK = 0x51_55_45  # with the day's ordinal: the key of a day's build (PostgreSQL advisory lock)
OPEN, ASSIGNED, DONE = (str(s) for s in WorkItemStatus)


def _not_held(now: datetime) -> ColumnElement[bool]:
    """The holding rule: an item assigned to a collector is theirs until its lease runs out."""
    return or_(w.status != ASSIGNED, w.lease_until < now)


def _free(now: datetime) -> ColumnElement[bool]:
    """In the queue and held by no one (done items are not handed out by the queue)."""
    return and_(w.status != DONE, _not_held(now))


def _resting(day: date | None, account_id: Any, now: datetime) -> ColumnElement[bool]:
    """The account was skipped (in the queue of ``day``; None: of any day) and rests past ``now``."""
    k = queue_skips.c
    on_day = true() if day is None else k.queue_date == day
    return exists().where(on_day, k.account_id == account_id, k.rest_until > now)


def _row(item: WorkItem) -> dict[str, Any]:
    return {"queue_date": item.queue_date, "account_id": item.account_id, "priority": item.priority,
            "reason": item.reason, "best_hour": item.best_hour, "status": str(item.status)}


_QUALIFICATION = select(
    select(t.agents.c.training_valid_until).where(t.agents.c.agent_id == bindparam("agent_id")).scalar_subquery(),
    select(t.agencies.c.authorized_until).where(t.agencies.c.agency_id == bindparam("agency_id")).scalar_subquery(),
)


def qualification(connection: Connection, agent_id: str, agency_id: str) -> tuple[date | None, date | None]:
    """The collector's training and their agency's mandate (one statement, built once)."""
    training, mandate = connection.execute(_QUALIFICATION, {"agent_id": agent_id, "agency_id": agency_id}).one()
    return training, mandate


class SqlWorkQueue(SqlUnitOfWork):
    busy: tuple[type[Exception], ...] = (OperationalError,)

    def _bind(self, connection: Connection) -> None:
        self._c = connection

    def _insert_new(self) -> Any:
        """INSERT into work_items that skips an item the day already has (queue_date, account_id)."""
        dialect_insert = pg_insert if self._c.dialect.name == "postgresql" else sqlite_insert
        return dialect_insert(work_items).on_conflict_do_nothing(index_elements=["queue_date", "account_id"])

    def size(self, day: date) -> int:
        return self._c.execute(select(func.count()).where(w.queue_date == day)).scalar_one()

    def built(self, day: date) -> tuple[bool, int | None]:
        row = self._c.execute(select(queue_builds.c.plan_version).where(queue_builds.c.queue_date == day)).first()
        if row is None:  # a day built before builds were recorded counts as built without a plan
            return bool(self.size(day)), None
        return True, row.plan_version

    def plan_version(self, day: date) -> int | None:
        return self._c.execute(select(plan_days.c.version).where(plan_days.c.plan_date == day)).scalar()

    def _lock_day(self, day: date) -> None:
        if self._c.dialect.name == "postgresql":
            self._c.execute(select(func.pg_advisory_xact_lock(QUEUE_BUILD_LOCK, day.toordinal())))

    def _record_build(self, day: date, plan_version: int | None, now: datetime) -> None:
        b = queue_builds.c
        if self._c.execute(select(b.queue_date).where(b.queue_date == day)).first() is None:
            self._c.execute(queue_builds.insert().values(queue_date=day, plan_version=plan_version, built_at=now))
        else:
            self._c.execute(update(queue_builds).where(b.queue_date == day).values(plan_version=plan_version,
                                                                                 built_at=now))

    def latest_aging_day(self) -> date | None:
        return self._c.execute(select(func.max(t.aging_runs.c.as_of))).scalar()

    def planned_calls(self, day: date) -> list[PlannedCall]:
        p, c = plan_attempts.c, t.customers.c
        query = (select(p.account_id, p.position, p.scheduled_at, p.reason, p.offer, c.timezone)
                 .join(t.customers, c.customer_id == p.customer_id)
                 .where(p.plan_date == day, p.channel == "call").order_by(p.position))
        return [PlannedCall(r.account_id, r.position, r.scheduled_at if r.scheduled_at.tzinfo
                            else r.scheduled_at.replace(tzinfo=UTC), r.reason, r.offer, r.timezone)
                for r in self._c.execute(query)]

    def aged_accounts(self, aging_day: date) -> list[AgedAccount]:
        a, g, c, s = t.accounts.c, t.account_aging.c, t.customers.c, account_scores.c
        query = (select(a.account_id, a.flags, g.dpd, g.bucket, g.past_due_cents, c.preferred_hours, s.propensity)
                 .join(t.account_aging, (g.account_id == a.account_id) & (g.as_of == aging_day))
                 .join(t.customers, c.customer_id == a.customer_id)
                 .outerjoin(account_scores, (s.account_id == a.account_id) & (s.as_of == aging_day))
                 .where(a.in_portfolio.is_(True), a.status == "open", g.dpd > 0))
        return [AgedAccount(r.account_id, r.flags, r.dpd, r.bucket, r.past_due_cents, r.preferred_hours,
                            r.propensity) for r in self._c.execute(query)]

    def store(self, day: date, items: Sequence[WorkItem], plan_version: int | None, now: datetime) -> int:
        self._lock_day(day)
        stored = self.size(day)
        if stored or not items:
            return stored
        self._c.execute(self._insert_new(), [_row(i) for i in sorted(items, key=lambda i: i.account_id)])
        self._record_build(day, plan_version, now)
        return len(items)

    def rebuild_waiting(self, day: date, items: Sequence[WorkItem], plan_version: int, now: datetime) -> int:
        self._lock_day(day)
        if self.built(day) == (True, plan_version):  # another builder was first
            return self.size(day)
        self._c.execute(delete(work_items).where(w.queue_date == day, _free(now)))  # neither held now nor done
        if items:
            self._c.execute(self._insert_new(), [_row(i) for i in sorted(items, key=lambda i: i.account_id)])
        self._record_build(day, plan_version, now)
        return self.size(day)

    def skip(self, day: date, account_id: str, *, user_id: str | None, reason: SkipReason, now: datetime,
             rest_until: datetime) -> None:
        self._c.execute(queue_skips.insert().values(queue_date=day, account_id=account_id, user_id=user_id,
                                                    reason=str(reason), at=now, rest_until=rest_until))

    def holds(self, user_id: str, day: date, account_id: str, now: datetime) -> bool:
        return self._c.execute(select(w.item_id).where(
            w.queue_date == day, w.account_id == account_id, w.assigned_to == user_id, w.status == ASSIGNED,
            w.lease_until >= now)).first() is not None

    def held(self, user_id: str, day: date, now: datetime) -> list[str]:
        return list(self._c.execute(select(w.account_id).where(
            w.queue_date == day, w.assigned_to == user_id, w.status == ASSIGNED, w.lease_until >= now)
            .order_by(w.account_id)).scalars())

    def qualification(self, agent_id: str, agency_id: str) -> tuple[date | None, date | None]:
        return qualification(self._c, agent_id, agency_id)

    def release_held(self, user_id: str, day: date, now: datetime) -> list[str]:
        worked = exists().where(contact_attempts.c.account_id == w.account_id,
                                contact_attempts.c.logged_by == user_id, contact_attempts.c.at >= w.assigned_at)
        held = and_(w.queue_date == day, w.status == ASSIGNED, w.assigned_to == user_id)
        self._c.execute(update(work_items).where(held, worked).values(status=DONE, done_at=now))
        returned = list(self._c.execute(select(w.account_id).where(held)).scalars())
        self._c.execute(update(work_items).where(held).values(status=OPEN, assigned_to=None, lease_until=None))
        return returned

    def due_callbacks(self, user_id: str, scope: Any, now: datetime) -> list[str]:
        f = follow_ups.c
        query = (select(f.account_id, func.min(f.due_at).label("due")).where(
            f.owner_user_id == user_id, f.status == "open", f.due_at <= now, ~_resting(None, f.account_id, now))
            .group_by(f.account_id).order_by("due", f.account_id).limit(20))
        return list(self._c.execute(scope.restrict_work(query, f.account_id)).scalars())

    def claim_account(self, user_id: str, day: date, account_id: str, now: datetime, lease_until: datetime) -> bool:
        self._c.execute(self._insert_new(), [_row(WorkItem(day, account_id, 0, CALLBACK_REASON, None))])
        claimed = self._c.execute(
            update(work_items).where(w.queue_date == day, w.account_id == account_id, _not_held(now))
            .values(status=ASSIGNED, assigned_to=user_id, assigned_at=now, lease_until=lease_until))
        return bool(claimed.rowcount)

    def claim_top(self, user_id: str, scope: Any, day: date, now: datetime, *, lease_until: datetime,
                  skip: Sequence[str]) -> dict[str, Any] | None:
        pick = scope.restrict_work(
            select(w.item_id).where(w.queue_date == day, _free(now), w.account_id.not_in(skip),
                                    ~_resting(day, w.account_id, now))
            .order_by(w.priority.desc(), w.item_id).limit(1),
            w.account_id,
        )
        if self._c.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=work_items)
        claim = (update(work_items).where(w.item_id == pick.scalar_subquery(), _free(now))
                 .values(status=ASSIGNED, assigned_to=user_id, assigned_at=now, lease_until=lease_until)
                 .returning(w.account_id, w.reason, w.priority, w.best_hour))
        row = self._c.execute(claim).first()
        return None if row is None else row._asdict()

    def _rests(self, day: date, account_ids: list[str], now: datetime) -> dict[str, datetime]:
        """Until when each of these accounts rests (those that do)."""
        k = queue_skips.c
        return dict(self._c.execute(
            select(k.account_id, func.max(k.rest_until)).where(k.queue_date == day, k.account_id.in_(account_ids),
                                                               k.rest_until > now).group_by(k.account_id)).all())

    def release(self, user_id: str, day: date, account_id: str) -> bool:
        result = self._c.execute(update(work_items).where(
            w.queue_date == day, w.account_id == account_id, w.assigned_to == user_id,
            w.status == ASSIGNED).values(status=OPEN, assigned_to=None, lease_until=None))
        return bool(result.rowcount)

    def overview(self, user_id: str, scope: Any, day: date, now: datetime, preview: int) -> dict[str, Any]:
        a, c = t.accounts.c, t.customers.c
        base = (select(w.account_id, w.priority, w.reason, w.best_hour, w.status, w.lease_until, a.past_due_cents,
                       a.currency, c.name_masked)
                .join(t.accounts, a.account_id == w.account_id).join(t.customers, c.customer_id == a.customer_id)
                .where(w.queue_date == day, scope.works()))
        held = self._c.execute(base.where(w.status == ASSIGNED, w.assigned_to == user_id,
                                          w.lease_until >= now)).mappings().all()
        waiting = self._c.execute(base.where(w.status == OPEN)  # the index order; lapsed leases come back
                                  .order_by(w.priority.desc(), w.item_id).limit(preview)).mappings().all()
        counts = dict(self._c.execute(scope.restrict_work(
            select(w.status, func.count()).where(w.queue_date == day).group_by(w.status), w.account_id)).all())
        rests = self._rests(day, [r["account_id"] for r in waiting], now)
        return {"held": [dict(r) for r in held],
                "waiting": [{**r, "rest_until": rests.get(r["account_id"])} for r in waiting],
                "counts": {s: counts.get(s, 0) for s in (OPEN, ASSIGNED, DONE)}}
