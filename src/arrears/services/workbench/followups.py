"""Follow-ups (跟进): callbacks and reminders with times, my day, overdue, handover."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import follow_ups, users
from arrears.domain.access import Permission
from arrears.services.workbench import audit
from arrears.services.workbench.accounts import visible_account
from arrears.services.workbench.context import Workbench, as_utc, typed_instant
from arrears.services.workbench.errors import Conflict, InvalidInput, NotFound
from arrears.services.workbench.principal import Principal

KINDS = ("callback", "reminder")
f = follow_ups.c


def add_follow_up_in(wb: Workbench, connection: Connection, principal: Principal, account_id: str, *,
                     kind: str, due_at: datetime, note: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"跟进类型只能是 {'/'.join(KINDS)}", f"a follow-up is one of {', '.join(KINDS)}", "kind")
    due_at = typed_instant(due_at, "due_at", "跟进时间", "follow-up time")
    if due_at < wb.now().replace(second=0, microsecond=0):  # typed to the minute: the current minute is fine
        raise InvalidInput("跟进时间不能早于现在", "a follow-up cannot be due in the past", "due_at")
    if note and len(note) > 1000:
        raise InvalidInput("备注最多 1000 字", "a note holds at most 1000 characters", "note")
    follow_up_id = uuid.uuid4().hex
    connection.execute(follow_ups.insert().values(
        follow_up_id=follow_up_id, account_id=account_id, owner_user_id=principal.user_id, kind=kind, due_at=due_at,
        note_enc=wb.cipher.encrypt(note) if note else None, status="open", created_by=principal.user_id,
        created_at=wb.now(),
    ))
    return follow_up_id


def add_follow_up(wb: Workbench, principal: Principal, account_id: str, *, kind: str, due_at: datetime,
                  note: str | None = None) -> str:
    principal.require(Permission.MANAGE_FOLLOW_UPS)
    visible_account(wb, principal, account_id)
    with wb.engine.begin() as connection:
        return add_follow_up_in(wb, connection, principal, account_id, kind=kind, due_at=due_at, note=note)


def my_day(wb: Workbench, principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """Open follow-ups: overdue, due today, later (in the user's working time zone)."""
    principal.require(Permission.VIEW_ACCOUNTS)
    now, zone = wb.now(), ZoneInfo(wb.timezone)
    end_of_day = datetime.combine(wb.today() + timedelta(days=1), time(0), zone)
    a, c = t.accounts.c, t.customers.c
    query = principal.scope.restrict(
        select(f.follow_up_id, f.account_id, f.kind, f.due_at, f.note_enc, f.handed_over_from, c.name_masked)
        .join(t.accounts, a.account_id == f.account_id).join(t.customers, c.customer_id == a.customer_id)
        .where(f.owner_user_id == principal.user_id, f.status == "open").order_by(f.due_at).limit(500),
        f.account_id,
    )
    with wb.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    day: dict[str, list[dict[str, Any]]] = {"overdue": [], "today": [], "later": []}
    for r in rows:
        item = {**{k: v for k, v in r.items() if k != "note_enc"},
                "note": wb.cipher.decrypt(r["note_enc"]) if r["note_enc"] else None}
        due = as_utc(r["due_at"])
        assert due is not None
        day["overdue" if due < now else "today" if due < end_of_day else "later"].append(item)
    return day


def complete(wb: Workbench, principal: Principal, follow_up_id: str) -> None:
    principal.require(Permission.MANAGE_FOLLOW_UPS)
    with wb.engine.begin() as connection:
        query = principal.scope.restrict(select(f.status, f.owner_user_id).where(f.follow_up_id == follow_up_id),
                                         f.account_id)
        row = connection.execute(query).first()
        if row is None or (row.owner_user_id != principal.user_id and not principal.may(Permission.HAND_OVER)):
            raise NotFound("找不到这条跟进", "no such follow-up", "follow_up_id")
        if row.status != "open":
            raise Conflict("这条跟进已经完成或取消", "this follow-up is already closed", "follow_up_id")
        connection.execute(update(follow_ups).where(f.follow_up_id == follow_up_id, f.status == "open")
                           .values(status="done", done_at=wb.now()))


def hand_over(wb: Workbench, principal: Principal, from_username: str, to_username: str) -> int:
    """Move every open follow-up of an absent collector to a colleague (same agency scope)."""
    principal.require(Permission.HAND_OVER)
    u = users.c
    with wb.engine.begin() as connection:
        found = {r.username: r for r in connection.execute(
            select(u.user_id, u.username, u.agency_id, u.active).where(
                u.username.in_([from_username, to_username]), principal.scope.rows_of_agency(u.agency_id)))}
        if from_username not in found or to_username not in found:
            raise NotFound("找不到交接的用户", "no such user to hand over from or to", "username")
        if from_username == to_username:
            raise InvalidInput("不能交接给自己", "cannot hand over to the same person", "to_username")
        source, target = found[from_username], found[to_username]
        if not target.active or (source.agency_id or None) != (target.agency_id or None):
            raise InvalidInput("只能交接给同一机构的在岗同事",
                               "hand over only to an active colleague of the same agency", "to_username")
        result = connection.execute(update(follow_ups).where(f.owner_user_id == source.user_id, f.status == "open")
                                    .values(owner_user_id=target.user_id, handed_over_from=source.user_id))
        audit.record(connection, wb.now(), "handover", principal, moved=result.rowcount, from_user=from_username,
                     to_user=to_username)
        return result.rowcount
