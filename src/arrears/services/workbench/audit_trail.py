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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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
    before: datetime | None = None  # the page cursor: entries strictly older than this instant


def _between(query: Select, column: Any, wanted: TrailFilter) -> Select:
    if wanted.since:
        query = query.where(column >= wanted.since)
    if wanted.until:
        query = query.where(column < wanted.until)
    if wanted.before:
        query = query.where(column < wanted.before)
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
    query = _between(query, a.at, wanted).order_by(a.at.desc(), a.audit_id.desc()).limit(wanted.limit)
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
    query = _between(query, e.at, wanted).order_by(e.at.desc(), e.event_id.desc()).limit(wanted.limit)
    found = list(connection.execute(query).mappings())
    owners = _accounts_of(connection, [r["subject"] for r in found])
    rows = []
    for r in found:
        detail = json.loads(r["detail"] or "{}")
        rows.append({"source": "arrangements", "at": as_utc(r["at"]), "kind": r["action"], "who": r["actor"],
                     "account_id": detail.get("account_id") or _account_in(r["subject"]) or owners.get(r["subject"]),
                     "subject": r["subject"], "purpose": None, "summary": f"{r['before']} → {r['after']}",
                     "outcome": "ok", "rules": []})
    return rows


SUBJECT_TABLES = {"plan": (arr.installment_plans, "plan_id"), "settlement": (arr.settlements, "settlement_id"),
                  "promise": (arr.promises_to_pay, "promise_id"),
                  "hardship": (arr.hardship_programmes, "programme_id"),
                  "referral": (arr.counselling_referrals, "referral_id"),
                  "payment": (arr.ledger_payments, "payment_id"), "extension": (arr.extensions, "extension_id")}


def _accounts_of(connection: Connection, subjects: list[str]) -> dict[str, str]:
    """The account each arrangement subject (``plan:PL1``) belongs to, one query per kind."""
    wanted: dict[str, set[str]] = {}
    for subject in subjects:
        kind, _, key = subject.partition(":")
        if kind in SUBJECT_TABLES and key and "@" not in key:
            wanted.setdefault(kind, set()).add(key)
    owners: dict[str, str] = {}
    for kind, keys in wanted.items():
        table, column = SUBJECT_TABLES[kind]
        for key, account in connection.execute(select(table.c[column], table.c.account_id)
                                               .where(table.c[column].in_(sorted(keys)))):
            owners[f"{kind}:{key}"] = account
    return owners


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
    query = _between(query, d.decided_for, wanted).order_by(d.decided_for.desc(), d.decision_id.desc()).limit(
        wanted.limit)
    rows: list[dict[str, Any]] = []
    for r in connection.execute(query).mappings():
        row = {"source": "gate", "at": as_utc(r["decided_for"]), "kind": f"gate.{r['mode']}",
               "who": r["caller"] or r["agent_id"],  # an HTTP check: who asked, authenticated
               "account_id": r["account_id"], "subject": r["channel"],
               "purpose": None, "summary": "; ".join(json.loads(r["reasons"] or "[]")),
               "outcome": r["decision"], "rules": json.loads(r["rules"] or "[]"), "channels": [r["channel"]]}
        if rows and _same_view(rows[-1], row):
            _fold(rows[-1], row)
        else:
            rows.append(row)
    return rows


def _same_view(previous: dict[str, Any], row: dict[str, Any]) -> bool:
    """One page view previews every channel of an account at one instant: one entry, not one per channel."""
    return (row["kind"] == previous["kind"] == "gate.preview" and row["at"] == previous["at"]
            and row["account_id"] == previous["account_id"] and row["who"] == previous["who"])


def _fold(view: dict[str, Any], row: dict[str, Any]) -> None:
    view["channels"].append(row["subject"])
    view["subject"] = ", ".join(c for c in view["channels"] if c)
    view["rules"] = sorted(set(view["rules"]) | set(row["rules"]))
    if row["outcome"] != view["outcome"]:
        view["outcome"] = "mixed"
    if row["summary"] and row["summary"] not in view["summary"]:
        view["summary"] = "; ".join(p for p in (view["summary"], row["summary"]) if p)


READERS = {"access": _access, "arrangements": _arrangements, "gate": _gate}


def combined_trail(connection: Connection, principal: Principal, wanted: TrailFilter) -> list[dict[str, Any]]:
    """The newest ``limit`` entries of the chosen sources, newest first."""
    principal.require(Permission.VIEW_AUDIT)
    sources = [wanted.source] if wanted.source in SOURCES else list(SOURCES)
    rows = [row for source in sources for row in READERS[source](connection, principal, wanted)]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:wanted.limit]


TICK = timedelta(microseconds=1)  # instants are stored to the microsecond


@dataclass(frozen=True)
class TrailPage:
    rows: list[dict[str, Any]]
    older: datetime | None  # the cursor of the next (older) page; None on the last page


def trail_page(connection: Connection, principal: Principal, wanted: TrailFilter) -> TrailPage:
    """One page of the trail, newest first. A page ends between two instants, never inside one, so
    that the next page (``before`` = ``older``) misses and repeats nothing."""
    rows = combined_trail(connection, principal, replace(wanted, limit=wanted.limit + 1))
    if len(rows) <= wanted.limit:
        return TrailPage(rows, None)
    rows = rows[:wanted.limit]
    last = rows[-1]["at"]
    whole = [r for r in rows if r["at"] != last]
    if not whole:  # one instant holds more than a page: show them all, the next page starts below it
        rows = combined_trail(connection, principal, replace(wanted, limit=10 * wanted.limit, since=last,
                                                             before=last + TICK))
        return TrailPage(rows, last)
    return TrailPage(whole, last + TICK)  # the next page starts with the instant this one left out


def whole_trail(connection: Connection, principal: Principal, wanted: TrailFilter,
                most: int = 100_000) -> list[dict[str, Any]]:
    """Every entry the filter selects (at most ``most``), newest first, page by page: for an export."""
    rows: list[dict[str, Any]] = []
    cursor = wanted.before
    while len(rows) < most:
        page = trail_page(connection, principal, replace(wanted, before=cursor, limit=min(5_000, most - len(rows))))
        rows += page.rows
        if page.older is None:
            break
        cursor = page.older
    return rows
