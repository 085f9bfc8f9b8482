"""The account page's contact points (``templates/_contact_points.html``): add a number or an e-mail
address the customer gives, mark a number wrong, record a consent. A refused form comes back on
the account page with what was typed and why; a change done goes back to the page, which says so."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.contact_points import ADDABLE_KINDS, ConsentMethod, WrongReason, consent_scope
from arrears.domain.vocabulary import Owner
from arrears.entrypoints.api.errors import status_of
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import FormStr, OptForm, labelled_day
from arrears.entrypoints.web.session import PageUser, require_form_user
from arrears.services.workbench import contact_points as service
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import WorkbenchError
from arrears.services.workbench.principal import Principal

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
DONE = ("added", "marked_wrong", "consent")  # ?point=... after a change


def page_data(wb: Workbench, principal: Principal, account_id: str) -> dict[str, Any]:
    """What the contact points' part of the account page needs beyond the account view."""
    return {"changes": service.point_changes(wb, principal, account_id), "kinds": [k.value for k in ADDABLE_KINDS],
            "owners": [o.value for o in Owner], "wrong_reasons": [r.value for r in WrongReason],
            "consent_methods": [m.value for m in ConsentMethod], "scope_of": consent_scope, "today": wb.today()}


def _back(account_id: str, done: str) -> Response:
    return RedirectResponse(f"/accounts/{account_id}?point={done}#contact-points", status_code=303)


def _refused(request: Request, user: PageUser, account_id: str, error: WorkbenchError,
             entered: dict[str, Any]) -> Response:
    from arrears.entrypoints.web.pages import account_page_response  # the page module imports this one

    return account_page_response(request, user, account_id, status_code=status_of(error),
                         point_error=error, point_entered=entered)


@router.post("/accounts/{account_id}/contact-points")
def add_point(request: Request, account_id: str, *, kind: FormStr, value: FormStr, owner: OptForm = None,
              relation: OptForm = None, csrf_token: OptForm = None) -> Response:
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    entered = {"form": "add", "kind": kind, "value": value, "owner": owner, "relation": relation}
    try:
        service.add_point(workbench_of(request.app), _as(user, request), account_id,
                          service.AddPoint(kind, value, owner or Owner.DEBTOR.value, relation))
    except WorkbenchError as error:
        return _refused(request, user, account_id, error, entered)
    return _back(account_id, "added")


@router.post("/accounts/{account_id}/contact-points/{contact_point_id}/wrong")
def mark_wrong(request: Request, account_id: str, contact_point_id: str, *, reason: FormStr,
               csrf_token: OptForm = None) -> Response:
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    try:
        service.mark_wrong(workbench_of(request.app), _as(user, request), account_id, contact_point_id, reason)
    except WorkbenchError as error:
        return _refused(request, user, account_id, error, {"form": contact_point_id, "reason": reason})
    return _back(account_id, "marked_wrong")


@router.post("/accounts/{account_id}/contact-points/{contact_point_id}/consent")
def record_consent(request: Request, account_id: str, contact_point_id: str, *, given: FormStr, method: FormStr,
                   given_on: OptForm = None, csrf_token: OptForm = None) -> Response:
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    entered = {"form": contact_point_id, "given": given, "method": method, "given_on": given_on}
    try:
        day = labelled_day(given_on, "given_on", "同意日期", "consent date")
        service.record_consent(workbench_of(request.app), _as(user, request), account_id, service.RecordConsent(
            contact_point_id, given == "yes", method, day))
    except WorkbenchError as error:
        return _refused(request, user, account_id, error, entered)
    return _back(account_id, "consent")
