"""The audit trail for auditors and compliance officers (审计记录): the access audit, the
arrangements' audit and the gate's decisions as one trail, filtered by source, kind (as the page
names it), who, account and dates, page by page, and exported as a CSV that Excel opens (UTF-8 with
a byte-order mark, formulas neutralised). A page view's previews are one entry, not one per channel."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from arrears.adapters.spreadsheets import formula_safe_frame
from arrears.domain import dates
from arrears.domain.access import Permission
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import day_field
from arrears.entrypoints.web.labels import CODE_LISTS
from arrears.entrypoints.web.pages import _as, error_page, render
from arrears.entrypoints.web.session import require_user
from arrears.services.workbench import audit_trail
from arrears.services.workbench.errors import InvalidInput, WorkbenchError

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
PAGE = 100
EXPORT_MOST = 100_000
T = TypeVar("T")
EXPORT_COLUMNS = ("at", "source", "kind", "who", "account_id", "subject", "purpose", "outcome", "rules", "summary")


def _day(text: str | None, name: str) -> date | None:
    return day_field(text, name) if text else None


def _cursor(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return dates.instant_of(text, "before", "before")
    except (dates.NotADate, dates.DateRefused, ValueError):
        raise InvalidInput("分页位置无效", "not a page position", field="before") from None


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {name: (q.get(name) or "")[:100] for name in ("source", "kind", "who", "account_id", "from", "to")}


def _wanted(request: Request, zone: str, limit: int) -> audit_trail.TrailFilter:
    f = _filters(request)
    start, end = _day(f["from"], "from"), _day(f["to"], "to")
    local = ZoneInfo(zone)
    return audit_trail.TrailFilter(
        f["source"] if f["source"] in audit_trail.SOURCES else None, f["kind"][:64] or None, f["who"] or None,
        f["account_id"][:64] or None,
        since=datetime.combine(start, time(0), local) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(0), local) if end else None,
        limit=limit, before=_cursor(request.query_params.get("before")))


def _read_trail(request: Request, principal: Any, read: Callable[[Connection, Any, audit_trail.TrailFilter], T]) -> T:
    """What ``read`` takes from the trail the page's filters select, for a principal who may view the audit."""
    wb = workbench_of(request.app)
    principal.require(Permission.VIEW_AUDIT)
    with wb.engine.connect() as connection:
        return read(connection, principal, _wanted(request, wb.timezone, PAGE))


@router.get("/audit")
def audit_page(request: Request) -> Response:
    user = require_user(request)
    principal = _as(user, request)
    try:
        page = _read_trail(request, principal, audit_trail.trail_page)
    except WorkbenchError as error:
        return error_page(request, error)
    filters = _filters(request)
    older = None if page.older is None else "/audit?" + urlencode(
        {**{k: v for k, v in filters.items() if v}, "before": page.older.isoformat()})
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "audit.html", user, trail=page.rows, filters=filters, older=older,
                  export="/audit/export.csv?" + query, newest="/audit?" + query,
                  sources=audit_trail.SOURCES, kinds=CODE_LISTS["audit_kind"],
                  first_page=request.query_params.get("before") is None)


@router.get("/audit/export.csv")
def audit_export(request: Request) -> Response:
    user = require_user(request)
    principal = _as(user, request)
    try:
        rows = _read_trail(request, principal, lambda connection, who, wanted: audit_trail.whole_trail(
            connection, who, wanted, EXPORT_MOST))
    except WorkbenchError as error:
        return error_page(request, error)
    zone = ZoneInfo(workbench_of(request.app).timezone)
    frame = pl.DataFrame([_export_row(r, zone) for r in rows], schema={c: pl.String for c in EXPORT_COLUMNS},
                         orient="row")
    buffer = io.BytesIO()
    formula_safe_frame(frame).write_csv(buffer, include_bom=True)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'})


def _export_row(row: dict[str, Any], zone: ZoneInfo) -> tuple[str, ...]:
    return (row["at"].astimezone(zone).isoformat(timespec="seconds"), row["source"], row["kind"], row["who"] or "",
            row["account_id"] or "", row["subject"] or "", row["purpose"] or "", row["outcome"] or "",
            ";".join(row["rules"] or []), row["summary"] or "")
