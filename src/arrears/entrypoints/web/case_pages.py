"""The cases pages: the team's list of disputes, hardship requests and complaints (overdue
first), taking and closing a case, and downloading a hardship file (permitted roles, audited).
The account page shows the account's live cases through ``open_cases``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears import bootstrap
from arrears.domain.cases import CaseKind, CaseQuery, CaseStatus
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.case_routes import actor_of, file_response
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import FormStr, OptForm
from arrears.entrypoints.web.session import check_csrf, require_user
from arrears.services import cases as service
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput
from arrears.services.workbench.principal import Principal

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)


def open_cases(wb: Workbench, principal: Principal, account_id: str) -> tuple[service.CaseRow, ...]:
    """The account's live cases for its page (none for a role that does not see cases)."""
    from arrears.domain.access import Permission

    if not principal.may(Permission.VIEW_CASES):
        return ()
    query = CaseQuery(wb.today(), live=True, account_id=account_id)
    return service.case_rows(bootstrap.cases_uow(wb.engine, wb.cipher), query, actor=actor_of(principal))


@router.get("/cases")
def cases_page(request: Request, kind: str | None = None, overdue: str | None = None, closed: str | None = None
               ) -> Response:
    from arrears.entrypoints.web.pages import _as, render

    user = require_user(request)
    wb, principal = workbench_of(request.app), _as(user, request)
    chosen = CaseKind(kind) if kind in tuple(CaseKind) else None
    query = CaseQuery(wb.today(), live=not closed, kind=chosen, overdue=bool(overdue), limit=200)
    rows = service.case_rows(bootstrap.cases_uow(wb.engine, wb.cipher), query, actor=actor_of(principal))
    return render(request, "cases.html", user, rows=rows, today=wb.today(), kinds=list(CaseKind),
                  filters={"kind": chosen or "", "overdue": bool(overdue), "closed": bool(closed)})


@router.post("/cases/{case_id}/take")
def take(request: Request, case_id: str, csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    wb = workbench_of(request.app)
    service.take_case(bootstrap.cases_uow(wb.engine, wb.cipher), case_id, actor=actor_of(user.principal),
                      now=wb.now())
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/{case_id}/resolve")
def resolve(request: Request, case_id: str, *, outcome: FormStr, resolution: FormStr,
            csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    if outcome not in (CaseStatus.RESOLVED, CaseStatus.REJECTED):
        raise InvalidInput("结案结果只能是已解决或已驳回", "the outcome is resolved or rejected", "outcome")
    wb = workbench_of(request.app)
    command = service.ResolveCase(case_id, CaseStatus(outcome), resolution)
    service.resolve_case(bootstrap.cases_uow(wb.engine, wb.cipher), command, actor=actor_of(user.principal),
                         now=wb.now())
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases/{case_id}/files/{file_id}")
def download(request: Request, case_id: str, file_id: str) -> Response:
    user = require_user(request)
    return file_response(workbench_of(request.app), user.principal, case_id, file_id)
