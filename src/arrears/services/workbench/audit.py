"""The access audit: logins, lockouts, reveals, blocked contacts, handovers. Append-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from arrears.adapters.storage.bulk import insert_dicts
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.services.workbench.principal import Principal


def record(connection: Connection, at: datetime, kind: str, principal: Principal | None, outcome: str = "ok",
           **fields: Any) -> None:
    """One ``entry`` written at once (its keyword fields as ``entry`` takes them)."""
    connection.execute(_APPEND, entry(at, kind, principal, outcome, **fields))


def write(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Many ``entry`` rows in one write (a batch's)."""
    insert_dicts(connection, access_audit, entries)


_APPEND = access_audit.insert()


def entry(
    at: datetime,
    kind: str,
    principal: Principal | None,
    outcome: str = "ok",
    *,
    username: str | None = None,
    account_id: str | None = None,
    field: str | None = None,
    purpose: str | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """One row of the access audit, as ``record`` writes it."""
    return dict(
        at=at, kind=kind, outcome=outcome,
        user_id=principal.user_id if principal else None,
        username=principal.username if principal else username,
        role=principal.role.value if principal else None,
        agency_id=principal.agency_id if principal else None,
        account_id=account_id, field=field, purpose=purpose,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    )


@dataclass(frozen=True)
class AuditFilter:
    kind: str | None = None
    username: str | None = None
    account_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200


def audit_trail(connection: Connection, principal: Principal, wanted: AuditFilter) -> list[dict[str, Any]]:
    a = access_audit.c
    query = select(access_audit).where(principal.scope.rows_of_agency(a.agency_id))
    if wanted.kind:
        query = query.where(a.kind == wanted.kind)
    if wanted.username:
        query = query.where(a.username == wanted.username)
    if wanted.account_id:
        query = query.where(a.account_id == wanted.account_id)
    if wanted.since:
        query = query.where(a.at >= wanted.since)
    if wanted.until:
        query = query.where(a.at < wanted.until)
    rows = connection.execute(query.order_by(a.audit_id.desc()).limit(wanted.limit)).mappings().all()
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]
