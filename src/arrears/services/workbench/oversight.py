"""Team lead and compliance views: queue progress, rates per collector, blocked attempts, complaints."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import (
    IN_WORKBENCH,
    LOGGED_IN_WORKBENCH,
    compliance_decisions,
    contact_attempts,
)
from arrears.adapters.storage.workbench_tables import access_audit, users, work_items
from arrears.domain.access import Permission
from arrears.domain.vocabulary import Outcome
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

REACHED = [o.value for o in Outcome if o in (Outcome.CONVERSATION, Outcome.ANSWERED_OTHER, Outcome.REFUSED,
                                             Outcome.DISPUTE)]
RIGHT_PARTY = [o.value for o in Outcome if o.reached_right_party]


def _day_bounds(wb: Workbench, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(wb.timezone)
    return datetime.combine(day, time(0), zone), datetime.combine(day + timedelta(days=1), time(0), zone)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def team_view(wb: Workbench, principal: Principal, day: date | None = None) -> dict[str, Any]:
    principal.require(Permission.VIEW_TEAM)
    day = day or wb.today()
    start, end = _day_bounds(wb, day)
    k, u, w = contact_attempts.c, users.c, work_items.c
    per_user = principal.scope.restrict(
        select(k.logged_by.label("user_id"), func.count().label("attempts"),
               func.sum(case((k.outcome.in_(REACHED), 1), else_=0)).label("contacts"),
               func.sum(case((k.outcome.in_(RIGHT_PARTY), 1), else_=0)).label("right_party"),
               func.sum(case((k.promise_amount_cents.is_not(None), 1), else_=0)).label("promises"))
        .where(LOGGED_IN_WORKBENCH, k.at >= start, k.at < end).group_by(k.logged_by),
        k.account_id,
    )
    with wb.engine.connect() as connection:
        stats = {r.user_id: r for r in connection.execute(per_user)}
        people = connection.execute(select(u.user_id, u.username, u.display_name, u.role, u.agency_id).where(
            principal.scope.rows_of_agency(u.agency_id), u.active.is_(True),
            or_(u.role.in_(["collector", "team_lead"]), u.user_id.in_(list(stats))))
            .order_by(u.username)).all()
        queue = dict(connection.execute(principal.scope.restrict(
            select(w.status, func.count()).where(w.queue_date == day).group_by(w.status), w.account_id)).all())
    rows = []
    for person in people:
        s = stats.get(person.user_id)
        attempts, contacts, rpc, promises = (s.attempts, s.contacts or 0, s.right_party or 0, s.promises or 0) if s \
            else (0, 0, 0, 0)
        rows.append({"username": person.username, "display_name": person.display_name, "role": person.role,
                     "agency_id": person.agency_id, "attempts": attempts, "contacts": contacts, "right_party": rpc,
                     "promises": promises, "contact_rate": _rate(contacts, attempts),
                     "right_party_rate": _rate(rpc, attempts), "promise_rate": _rate(promises, rpc)})
    return {"day": day, "queue": {s: queue.get(s, 0) for s in ("open", "assigned", "done")}, "collectors": rows}


def blocked_by_rule(wb: Workbench, principal: Principal, since: datetime | None = None) -> list[dict[str, Any]]:
    principal.require(Permission.VIEW_COMPLIANCE)
    since = since or wb.now() - timedelta(days=7)
    a = access_audit.c
    query = principal.scope.restrict(
        select(a.detail).where(a.kind == "contact_blocked", a.at >= since), a.account_id)
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    with wb.engine.connect() as connection:
        for (detail,) in connection.execute(query):
            parsed = json.loads(detail)
            for i, rule in enumerate(parsed.get("rules") or ["(none)"]):
                counts[rule] += 1
                reasons = parsed.get("reasons") or []
                examples.setdefault(rule, reasons[i] if i < len(reasons) else (reasons[0] if reasons else ""))
    return [{"rule": rule, "blocked": n, "example_reason": examples.get(rule, "")}
            for rule, n in counts.most_common()]


def complaints(wb: Workbench, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    principal.require(Permission.VIEW_COMPLIANCE)
    k, c = contact_attempts.c, t.contacts.c
    logged = principal.scope.restrict(
        select(k.account_id, k.at, k.channel, k.outcome, k.logged_by.label("who")).where(k.complaint.is_(True),
                                                                                          IN_WORKBENCH),
        k.account_id).order_by(k.at.desc()).limit(limit)
    ingested = principal.scope.restrict(
        select(c.account_id, c.at, c.channel, c.outcome, c.agent_id.label("who")).where(c.complaint.is_(True)),
        c.account_id).order_by(c.at.desc()).limit(limit)
    with wb.engine.connect() as connection:
        rows = [{**r, "source": "workbench"} for r in connection.execute(logged).mappings()]
        rows += [{**r, "source": "portfolio"} for r in connection.execute(ingested).mappings()]
    return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]


def reviews_and_warnings(wb: Workbench, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The gate's decisions a person should look at, newest first: those that answered "review"
    and those allowed with a warning (the rules that warned and why)."""
    principal.require(Permission.VIEW_COMPLIANCE)
    d = compliance_decisions.c
    query = principal.scope.restrict(
        select(d.decided_for, d.mode, d.account_id, d.channel, d.agent_id, d.caller, d.decision, d.rules, d.reasons,
               d.warnings).where(or_(d.decision == "review", d.warnings != "[]")),
        d.account_id).order_by(d.decision_id.desc()).limit(limit)
    found = []
    with wb.engine.connect() as connection:
        for r in connection.execute(query).mappings():
            review = r["decision"] == "review"
            rules, reasons = ((json.loads(r["rules"] or "[]"), json.loads(r["reasons"] or "[]")) if review
                              else _split_warnings(json.loads(r["warnings"] or "[]")))
            found.append({"at": r["decided_for"], "mode": r["mode"], "account_id": r["account_id"],
                          "channel": r["channel"], "who": r["agent_id"] or r["caller"] or "",
                          "kind": "review" if review else "warning", "decision": r["decision"],
                          "rules": rules, "reasons": reasons})
    return found


def _split_warnings(warnings: list[str]) -> tuple[list[str], list[str]]:
    """Stored warnings read ``RULE-ID: why``: the rule ids and the reasons."""
    parts = [w.split(":", 1) if ":" in w else ["", w] for w in warnings]
    return [p[0].strip() for p in parts], [p[1].strip() for p in parts]
