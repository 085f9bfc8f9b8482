"""/v1/team, /v1/compliance, /v1/audit: what team leads, compliance officers and auditors see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from arrears.domain.access import Permission
from arrears.entrypoints.api.inputs import Day, Instant, StrictInputRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep, WorkbenchDep
from arrears.entrypoints.api.workbench.schemas import INVALID
from arrears.services.workbench import audit, oversight
from arrears.services.workbench import audit_trail as trails

router = APIRouter(prefix="/v1", tags=["oversight"], route_class=StrictInputRoute,
                   responses=INVALID)


@router.get("/team")
def team(principal: PrincipalDep, wb: WorkbenchDep, day: Day | None = None) -> dict[str, Any]:
    """Queue sizes and contact, right-party and promise rates per collector for a day."""
    return oversight.team_view(wb, principal, day)


@router.get("/compliance/blocked")
def blocked(principal: PrincipalDep, wb: WorkbenchDep, since: Instant | None = None) -> list[dict[str, Any]]:
    """Blocked contact attempts by rule (default: the last 7 days)."""
    return oversight.blocked_by_rule(wb, principal, since)


@router.get("/compliance/complaints")
def complaints(principal: PrincipalDep, wb: WorkbenchDep,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    return oversight.complaints(wb, principal, limit)


@router.get("/audit")
def audit_trail(
    *, principal: PrincipalDep, wb: WorkbenchDep,
    kind: Annotated[str | None, Query(max_length=30)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """The access audit (logins, lockouts, reveals with purpose, blocked contacts), filtered."""
    principal.require(Permission.VIEW_AUDIT)
    with wb.engine.connect() as connection:
        return audit.audit_trail(connection, principal,
                                 audit.AuditFilter(kind, username, account_id, since, until, limit))


@router.get("/audit/trail")
def combined_audit_trail(
    *, principal: PrincipalDep, wb: WorkbenchDep,
    source: Annotated[str | None, Query(pattern="^(access|arrangements|gate)$")] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=100)] = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """One trail from the access audit, the arrangements audit and the compliance gate's decisions,
    newest first, filtered by source, kind (prefix; a gate decision or mode), who, account and time."""
    with wb.engine.connect() as connection:
        return trails.combined_trail(connection, principal, trails.TrailFilter(
            source, kind, who, account_id, since, until, limit))
