"""Follow-ups on the pages: add one from the account page, "my day" (callbacks, promises due and
broken promises to chase), mark one done, and a team lead handing someone's follow-ups over."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import FormStr, OptForm, local_datetime
from arrears.entrypoints.web.pages import _as, render
from arrears.entrypoints.web.session import require_form_user, require_user
from arrears.services.workbench import followups

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)


@router.post("/accounts/{account_id}/follow-ups")
def add_follow_up(request: Request, account_id: str, *, kind: FormStr, due_at: FormStr, csrf_token: OptForm = None,
                  note: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    wb = workbench_of(request.app)
    when = local_datetime(due_at, wb.timezone, "due_at")
    assert when is not None
    followups.add_follow_up(wb, _as(user, request), account_id, kind=kind, due_at=when, note=note or None)
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


@router.get("/my-day")
def my_day(request: Request) -> Response:
    user = require_user(request)
    return render(request, "my_day.html", user, day=followups.my_day(workbench_of(request.app), _as(user, request)))


@router.post("/follow-ups/{follow_up_id}/done")
def follow_up_done(request: Request, follow_up_id: str, csrf_token: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    followups.complete(workbench_of(request.app), _as(user, request), follow_up_id)
    return RedirectResponse("/my-day", status_code=303)


@router.post("/follow-ups/handover")
def hand_over(request: Request, from_username: FormStr, to_username: FormStr, csrf_token: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    followups.hand_over(workbench_of(request.app), _as(user, request), from_username, to_username)
    return RedirectResponse("/team", status_code=303)
