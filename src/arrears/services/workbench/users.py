"""User administration: adding and changing users, within the acting administrator's scope and authority.

Who may administer whom is one pure rule (``domain.access.administration_refusals``); this module reads
the facts it needs, applies it, and audits every change and every refusal (a refusal is committed before
it is raised).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Row, select, update

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import api_tokens, training_records, users, web_sessions
from arrears.domain.access import Permission, Role, Standing, administration_refusals, agent_refusal
from arrears.domain.reasons import Reason
from arrears.services.workbench import audit
from arrears.services.workbench.auth import NewUser, generated_password, hash_password, insert_user
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput, NotEligible, NotFound
from arrears.services.workbench.principal import Principal


class Keep(Enum):
    """A field a change leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class UserChange:
    role: Role | Keep = KEEP
    agency_id: str | Keep | None = KEEP
    agent_id: str | Keep | None = KEEP
    active: bool | Keep = KEEP
    password: str | Keep = KEEP  # a reset by an administrator

    def changed(self) -> list[str]:
        return [name for name in ("role", "agency_id", "agent_id", "active", "password")
                if getattr(self, name) is not KEEP]


def _standing(principal: Principal) -> Standing:
    return Standing(principal.role, principal.agency_id or None)


def _agent_and_agency(connection: Connection, agency_id: str | None, agent_id: str | None) -> Reason | None:
    if agency_id and connection.execute(select(t.agencies.c.agency_id).where(
            t.agencies.c.agency_id == agency_id)).first() is None:
        raise InvalidInput(f"没有委外机构 {agency_id}", f"no agency {agency_id}", "agency_id")
    if not agent_id:
        return None
    found = connection.execute(select(t.agents.c.agency_id).where(t.agents.c.agent_id == agent_id)).first()
    return agent_refusal(agency_id, found.agency_id if found else None, found is not None)


def _refuse(connection: Connection, wb: Workbench, actor: Principal, refusals: tuple[Reason, ...], *, action: str,
            target: str) -> NotEligible:
    audit.record(connection, wb.now(), "user_admin_denied", actor, "denied", action=action, target=target,
                 rules=[r.rule_id for r in refusals], reasons=[r.en for r in refusals])
    return NotEligible("；".join(r.zh for r in refusals), "; ".join(r.en for r in refusals), None,
                       tuple(r.rule_id for r in refusals))


def add_user(wb: Workbench, actor: Principal, user: NewUser) -> str:
    """Add a user the actor may administer; a refusal (403) is audited and nothing is added."""
    user = NewUser(user.username, user.password, user.role, user.display_name, user.agency_id or None,
                   user.agent_id or None, user.language, user.password_change_required)
    refusal: NotEligible | None = None
    with wb.engine.begin() as connection:
        refusals = administration_refusals(_standing(actor), None, Standing(user.role, user.agency_id))
        if not refusals:
            agent = _agent_and_agency(connection, user.agency_id, user.agent_id)
            refusals = (agent,) if agent else ()
        if refusals:
            refusal = _refuse(connection, wb, actor, refusals, action="create", target=user.username)
        else:
            user_id = insert_user(connection, user, wb.now())
            audit.record(connection, wb.now(), "user_created", actor, target=user.username, role=user.role.value,
                         target_agency_id=user.agency_id)
    if refusal is not None:
        raise refusal
    return user_id


def _after(row: Row, change: UserChange) -> tuple[Standing, str | None]:
    role = Role(row.role) if change.role is KEEP else change.role
    agency = (row.agency_id or None) if change.agency_id is KEEP else (change.agency_id or None)
    agent = (row.agent_id or None) if change.agent_id is KEEP else (change.agent_id or None)
    assert isinstance(role, Role) and not isinstance(agency, Keep) and not isinstance(agent, Keep)
    return Standing(role, agency), agent


def _values(row: Row, change: UserChange, after: Standing, agent: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {"role": after.role.value, "agency_id": after.agency_id, "agent_id": agent}
    if change.active is not KEEP:
        values["active"] = change.active
    if not isinstance(change.password, Keep):
        values.update(password_hash=hash_password(change.password, row.username), failed_logins=0,
                      locked_until=None, password_change_required=True)  # a reset is changed at next login
    return values


def change_user(wb: Workbench, actor: Principal, username: str, change: UserChange) -> dict[str, Any]:
    """Change a user's role, agency, agent, active flag or password, if the actor may administer the user
    both as they are and as they will be. Deactivating or resetting ends the user's sessions and tokens."""
    if not change.changed():
        raise InvalidInput("没有要修改的内容", "nothing to change", None)
    refusal: NotEligible | None = None
    with wb.engine.begin() as connection:
        row = connection.execute(select(users).where(users.c.username == username).with_for_update()).first()
        if row is None:
            raise NotFound(f"没有用户 {username}", f"no user {username}", "username")
        after, agent = _after(row, change)
        refusals = administration_refusals(_standing(actor), Standing(Role(row.role), row.agency_id or None), after,
                                           is_self=row.user_id == actor.user_id)
        if not refusals:
            problem = _agent_and_agency(connection, after.agency_id, agent)
            refusals = (problem,) if problem else ()
        if refusals:
            refusal = _refuse(connection, wb, actor, refusals, action="change", target=username)
        else:
            connection.execute(update(users).where(users.c.user_id == row.user_id)
                               .values(**_values(row, change, after, agent)))
            if change.active is False or not isinstance(change.password, Keep):
                _end_sessions(connection, row.user_id, wb)
            audit.record(connection, wb.now(), "user_changed", actor, target=username, fields=change.changed(),
                         role=after.role.value, target_agency_id=after.agency_id,
                         active=row.active if change.active is KEEP else change.active)
    if refusal is not None:
        raise refusal
    return {"username": username, "role": after.role, "agency_id": after.agency_id, "agent_id": agent,
            "active": bool(row.active if change.active is KEEP else change.active)}


def _end_sessions(connection: Connection, user_id: str, wb: Workbench) -> None:
    now = wb.now()
    for table in (web_sessions, api_tokens):
        connection.execute(update(table).where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
                           .values(revoked_at=now))


def list_users(wb: Workbench, actor: Principal) -> list[dict[str, Any]]:
    """The users the actor administers (an agency's administrator: that agency's), with the training
    date of their agent, newest login first."""
    actor.require(Permission.MANAGE_USERS)
    u, a = users.c, t.agents.c
    query = (select(u.username, u.display_name, u.role, u.agency_id, u.agent_id, u.active, u.last_login_at,
                    u.locked_until, u.password_change_required, a.training_valid_until)
             .join_from(users, t.agents, a.agent_id == u.agent_id, isouter=True)
             .where(actor.scope.rows_of_agency(u.agency_id)).order_by(u.role, u.username))
    with wb.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def add_user_with_generated_password(wb: Workbench, actor: Principal, user: NewUser) -> str:
    """Add a user with a generated password (returned, to be shown once) that must be changed at first login."""
    password = generated_password(user.username)
    add_user(wb, actor, replace(user, password=password, password_change_required=True))
    return password


def reset_password(wb: Workbench, actor: Principal, username: str) -> str:
    """A generated password for a user (returned, to be shown once), changed at their next login; their
    sessions and tokens end."""
    password = generated_password(username)
    change_user(wb, actor, username, UserChange(password=password))
    return password


def add_user_by_operator(wb: Workbench, operator: str, user: NewUser) -> str:
    """The server's operator adds a user from the command line (first setup, scripts): a generated
    password (returned, to be shown once) changed at first login; the agency and agent are checked,
    and the addition is audited as ``cli:<operator>``."""
    password = generated_password(user.username)
    user = replace(user, password=password, password_change_required=True, agency_id=user.agency_id or None,
                   agent_id=user.agent_id or None)
    with wb.engine.begin() as connection:
        problem = _agent_and_agency(connection, user.agency_id, user.agent_id)
        if problem:
            raise InvalidInput(problem.zh, problem.en, "agent_id")
        insert_user(connection, user, wb.now())
        audit.record(connection, wb.now(), "user_created", None, username=f"cli:{operator}"[:64],
                     target=user.username, role=user.role.value, target_agency_id=user.agency_id)
    return password


@dataclass(frozen=True)
class TrainingRecord:
    course: str
    completed_on: date
    valid_until: date


def record_training(wb: Workbench, actor: Principal, username: str, record: TrainingRecord) -> date:
    """An administrator records a collector's completed training (培训记录), within their scope; the
    collector's agent is then trained until the later of this and what was on file. Returns it."""
    course = record.course.strip()
    if not course or len(course) > 100:
        raise InvalidInput("请填写培训课程名称（100 字以内）", "name the course (at most 100 characters)", "course")
    if record.valid_until < record.completed_on:
        raise InvalidInput("有效期不能早于完成日期", "valid until cannot be before the day it was completed",
                           "valid_until")
    refusal: NotEligible | None = None
    with wb.engine.begin() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NotFound(f"没有用户 {username}", f"no user {username}", "username")
        target = Standing(Role(row.role), row.agency_id or None)
        refusals = administration_refusals(_standing(actor), target, target, is_self=row.user_id == actor.user_id)
        if refusals:
            refusal = _refuse(connection, wb, actor, refusals, action="training", target=username)
        elif not row.agent_id:
            raise InvalidInput(f"{username} 没有关联催收员编号", f"{username} has no agent id", "username")
        else:
            until = _record(connection, wb, actor, row.agent_id, replace(record, course=course))
            audit.record(connection, wb.now(), "training_recorded", actor, target=username, agent_id=row.agent_id,
                         course=course, valid_until=record.valid_until.isoformat())
    if refusal is not None:
        raise refusal
    return until


def _record(connection: Connection, wb: Workbench, actor: Principal, agent_id: str, record: TrainingRecord) -> date:
    connection.execute(training_records.insert().values(
        agent_id=agent_id, course=record.course, completed_on=record.completed_on, valid_until=record.valid_until,
        recorded_by=actor.username, recorded_at=wb.now()))
    a = t.agents.c
    on_file = connection.execute(select(a.training_valid_until).where(a.agent_id == agent_id)).scalar()
    until = max(d for d in (on_file, record.valid_until) if d is not None)
    connection.execute(update(t.agents).where(a.agent_id == agent_id).values(training_valid_until=until))
    return until
