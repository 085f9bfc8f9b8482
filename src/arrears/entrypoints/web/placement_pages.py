"""Placements (分案管理) for in-house team leads, strategy managers and administrators: the
delinquent accounts and who works them, allocation by the rules on demand, and bulk placement,
move (调案) and recall (退案) by hand with a reason. Every change goes through the allocation use
cases (one transaction, audited); a recalled account leaves the agency's view at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from arrears.bootstrap import allocation_rules, allocation_uow
from arrears.domain.access import Permission
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import OptForm
from arrears.entrypoints.web.pages import _as, _language, error_page, render
from arrears.entrypoints.web.session import PageUser, check_csrf, require_user
from arrears.services.allocation.placements import (
    Allocate,
    AllocationError,
    Move,
    Recall,
    allocate_accounts,
    move_accounts,
    placement_listing,
    recall_accounts,
)
from arrears.services.allocation.rules import RulesError
from arrears.services.workbench.errors import Forbidden, WorkbenchError
from arrears.services.workbench.principal import Principal

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
ListForm = Annotated[list[str] | None, Form()]
MOST_SHOWN = 500
MOST_PER_ACTION = 5_000


def _allocator(request: Request, user: PageUser) -> Principal:
    principal = _as(user, request)
    principal.require(Permission.ALLOCATE)
    if principal.agency_id:
        raise Forbidden("委外机构的用户不能分案", "an agency's users do not allocate accounts")
    return principal


def _page(request: Request, user: PageUser, status_code: int = 200, **extra: object) -> Response:
    wb = workbench_of(request.app)
    q = request.query_params
    agency, bucket = (q.get("agency") or "")[:64] or None, (q.get("bucket") or "")[:10] or None
    rows = placement_listing(allocation_uow(wb.engine), wb.today(), agency=agency, bucket=bucket, limit=MOST_SHOWN)
    rules = allocation_rules()
    return render(request, "placements.html", user, status_code=status_code, rows=rows, agencies=sorted(rules.agencies),
                  filters={"agency": agency or "", "bucket": bucket or ""}, shown_most=MOST_SHOWN, **extra)


@router.get("/placements")
def placements_page(request: Request) -> Response:
    user = require_user(request)
    try:
        _allocator(request, user)
        return _page(request, user, done=request.query_params.get("done"))
    except (WorkbenchError, RulesError) as error:
        return error_page(request, error if isinstance(error, WorkbenchError) else Forbidden(str(error), str(error)))


@router.post("/placements")
def change_placements(request: Request, *, action: Annotated[str, Form()], reason: OptForm = None,
                      account_ids: ListForm = None, csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    wb = workbench_of(request.app)
    try:
        principal = _allocator(request, user)
        by, now, today = f"user:{principal.username}", datetime.now(UTC), wb.today()
        ids = tuple(dict.fromkeys(a[:64] for a in (account_ids or [])))[:MOST_PER_ACTION]
        if action != "allocate" and not ids:
            raise AllocationError("请先勾选账户", "choose the accounts first")
        if action == "allocate":
            report = allocate_accounts(allocation_uow(wb.engine), Allocate(today, by, allocation_rules()), now)
            done = f"allocated:{sum(report.placed.values())}:{sum(report.recalled.values())}"
        elif action == "recall":
            done = f"recalled:{recall_accounts(allocation_uow(wb.engine), Recall(ids, today, by, reason or ''), now)}"
        elif action.startswith("move:"):
            command = Move(ids, today, by, reason or "", to_agency=action.removeprefix("move:"),
                           rules=allocation_rules())
            done = f"placed:{move_accounts(allocation_uow(wb.engine), command, now)}"
        else:
            raise AllocationError(f"没有操作 {action}", f"no action {action}")
    except AllocationError as error:
        return _page(request, user, status_code=422, error=error.en if _language(request, user) == "en" else error.zh)
    except WorkbenchError as error:
        return error_page(request, error)
    return RedirectResponse(f"/placements?done={done}", status_code=303)
