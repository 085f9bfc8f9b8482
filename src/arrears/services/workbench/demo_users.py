"""Demo users, one per role (and one agency collector), each with a fresh random password."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, or_, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import users
from arrears.domain.access import Role
from arrears.services.workbench.auth import NewUser, create_user, generated_password, set_password

_NAMES = {
    Role.COLLECTOR: "催收员 Collector", Role.TEAM_LEAD: "组长 Team lead",
    Role.STRATEGY_MANAGER: "策略经理 Strategy manager", Role.COMPLIANCE_OFFICER: "合规专员 Compliance officer",
    Role.AUDITOR: "审计员 Auditor", Role.ADMIN: "管理员 Admin",
}


def _trained_agent(engine: Engine, agency_id: str | None, today: date) -> str | None:
    a = t.agents.c
    where = (a.agency_id == agency_id) if agency_id else or_(a.agency_id.is_(None), a.agency_id == "")
    query = (select(a.agent_id).where(where, a.training_valid_until >= today)
             .order_by(a.training_valid_until.desc(), a.agent_id))
    with engine.connect() as connection:
        return connection.execute(query.limit(1)).scalar()


def _live_agency(engine: Engine, today: date) -> str | None:
    g = t.agencies.c
    query = select(g.agency_id).where(g.authorized_until >= today).order_by(g.authorized_until.desc(), g.agency_id)
    with engine.connect() as connection:
        return connection.execute(query.limit(1)).scalar()


def _demo_accounts(engine: Engine, today: date) -> list[NewUser]:
    in_house_agent = _trained_agent(engine, None, today)
    agency = _live_agency(engine, today)
    wanted = [NewUser(role.value, "", role, _NAMES[role],
                      agent_id=in_house_agent if role in (Role.COLLECTOR, Role.TEAM_LEAD) else None)
              for role in Role]
    if agency:
        wanted.append(NewUser(f"agency_{agency.lower()}", "", Role.COLLECTOR, f"委外催收员 {agency}",
                              agency_id=agency, agent_id=_trained_agent(engine, agency, today)))
    return wanted


def demo_password(username: str) -> str:
    """16 random URL-safe characters (96 bits) that pass the password policy."""
    return generated_password(username)


def create_demo_users(engine: Engine, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Create (or reset the passwords of) the demo users; returns (username, role, password)."""
    now = now or datetime.now(UTC)
    made: list[tuple[str, str, str]] = []
    for user in _demo_accounts(engine, now.date()):
        password = demo_password(user.username)
        with engine.connect() as connection:
            exists = connection.execute(select(users.c.user_id).where(users.c.username == user.username)).first()
        if exists:
            set_password(engine, user.username, password)
        else:
            create_user(engine, NewUser(user.username, password, user.role, user.display_name, user.agency_id,
                                        user.agent_id), now)
        made.append((user.username, user.role.value, password))
    return made
