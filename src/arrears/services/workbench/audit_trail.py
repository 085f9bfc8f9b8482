"""One audit trail for compliance officers and auditors, from the three append-only logs:

- ``access_audit`` (workbench): logins, lockouts, reveals with their purpose, blocked contacts,
  handovers;
- ``audit_events`` (arrangements): promises, plans, settlements, payments, extensions,
  hardship, referrals, and the nightly run's status changes;
- ``compliance_decisions`` (the contact gate and the HTTP check): every preview, reservation
  and check with its decision, rules and reasons.

Each source is queried with the same filters (newest first, at most ``limit`` rows each), the
rows are put in one shape and merged by time. An agency's users see only their agency's
access rows and the gate decisions on accounts placed with them; the arrangement events are
not attributed to an agency, so they are shown to in-house users only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from arrears.adapters.storage import arrangements_tables as arr
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.text_filters import ends_with, starts_with
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.domain.access import Permission
from arrears.services.workbench.context import as_utc
from arrears.services.workbench.principal import Principal

SOURCES = ("access", "arrangements", "gate")


@dataclass(frozen=True)
class TrailFilter:
    source: str | None = None  # access | arrangements | gate; None: all three
    kind: str | None = None  # access kind, arrangement action, or gate decision / mode (prefix)
    who: str | None = None  # username, actor, or agent id
    account_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200


def _between(query: Select, column: Any, wanted: TrailFilter) -> Select:
    if wanted.since:
        query = query.where(column >= wanted.since)
    if wanted.until:
        query = query.where(column < wanted.until)
    return query


def _access(connection: Connection, principal: Principal, wanted: TrailFilter) -> list[dict[str, Any]]:
    a = access_audit.c
    query = select(access_audit).where(principal.scope.rows_of_agency(a.agency_id))
    if wanted.kind:
        query = query.where(starts_with(a.kind, wanted.kind))
    if wanted.who:
        query = query.where(a.username == wanted.who)
    if wanted.account_id:
        query = query.where(a.account_id == wanted.account_id)
    query = _between(query, a.at, wanted).order_by(a.audit_id.desc()).limit(wanted.limit)
    rows = []
    for r in connection.execute(query).mappings():
        detail = json.loads(r["detail"] or "{}")
        rows.append({"source": "access", "at": as_utc(r["at"]), "kind": r["kind"], "who": r["username"],
                     "account_id": r["account_id"], "subject": r["field"], "purpose": r["purpose"],
                     "summary": "", "outcome": r["outcome"], "rules": detail.get("rules") or []})
    return rows


def _subjects_of(connection: Connection, account_id: str) -> list[str]:
    """Every audit subject that belongs to the account (its plans, settlements, ...)."""
    subjects = [f"account:{account_id}"]
    for prefix, table, key in (("plan", arr.installment_plans, "plan_id"),
                               ("settlement", arr.settlements, "settlement_id"),
                               ("promise", arr.promises_to_pay, "promise_id"),
                               ("hardship", arr.hardship_programmes, "programme_id"),
                               ("referral", arr.counselling_referrals, "referral_id"),
                               ("payment", arr.ledger_payments, "payment_id")):
        ids = connection.execute(select(table.c[key]).where(table.c.account_id == account_id)).scalars()
        subjects += [f"{prefix}:{i}" for i in ids]
    return subjects


def _arrangements(connection: Connection, principal: Principal, wanted: TrailFilter) -> list[dict[str, Any]]:
    if principal.agency_id:
        return []
    e = audit_events.c
    query = select(audit_events)
    if wanted.kind:
        query = query.where(starts_with(e.action, wanted.kind))
    if wanted.who:
        query = query.where(e.actor == wanted.who)
    if wanted.account_id:
        query = query.where(or_(e.subject.in_(_subjects_of(connection, wanted.account_id)),
                                ends_with(e.subject, f"@account:{wanted.account_id}")))
    query = _between(query, e.at, wanted).order_by(e.event_id.desc()).limit(wanted.limit)
    rows = []
    for r in connection.execute(query).mappings():
        detail = json.loads(r["detail"] or "{}")
        rows.append({"source": "arrangements", "at": as_utc(r["at"]), "kind": r["action"], "who": r["actor"],
                     "account_id": detail.get("account_id") or _account_in(r["subject"]),
                     "subject": r["subject"], "purpose": None, "summary": f"{r['before']} → {r['after']}",
                     "outcome": "ok", "rules": []})
    return rows


def _account_in(subject: str) -> str | None:
    for part in subject.split("@"):
        if part.startswith("account:"):
            return part.removeprefix("account:")
    return None


def _gate(connection: Connection, principal: Principal, wanted: TrailFilter) -> list[dict[str, Any]]:
    d = compliance_decisions.c
    query = principal.scope.restrict(select(compliance_decisions), d.account_id)
    if wanted.kind:
        query = query.where(or_(d.decision == wanted.kind, d.mode == wanted.kind))
    if wanted.who:
        query = query.where(or_(d.agent_id == wanted.who, d.caller == wanted.who))
    if wanted.account_id:
        query = query.where(d.account_id == wanted.account_id)
    query = _between(query, d.decided_for, wanted).order_by(d.decision_id.desc()).limit(wanted.limit)
    rows = []
    for r in connection.execute(query).mappings():
        rows.append({"source": "gate", "at": as_utc(r["decided_for"]), "kind": f"gate.{r['mode']}",
                     "who": r["caller"] or r["agent_id"],  # an HTTP check: who asked, authenticated
                     "account_id": r["account_id"], "subject": r["channel"],
                     "purpose": None, "summary": "; ".join(json.loads(r["reasons"] or "[]")),
                     "outcome": r["decision"], "rules": json.loads(r["rules"] or "[]")})
    return rows


READERS = {"access": _access, "arrangements": _arrangements, "gate": _gate}


def combined_trail(connection: Connection, principal: Principal, wanted: TrailFilter) -> list[dict[str, Any]]:
    """The newest ``limit`` entries of the chosen sources, newest first."""
    principal.require(Permission.VIEW_AUDIT)
    sources = [wanted.source] if wanted.source in SOURCES else list(SOURCES)
    rows = [row for source in sources for row in READERS[source](connection, principal, wanted)]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:wanted.limit]
