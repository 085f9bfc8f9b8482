"""Arrangements on the account page and the approvals inbox (issue 16).

From the account page a collector quotes an installment plan (every installment shown before
anyone agrees; the agree form carries exactly the quoted terms), offers a settlement, grants an
extension, enrols a hardship programme, refers to counselling and posts a payment. What is
beyond the user's authority becomes a pending request on ``/approvals``, where a user whose
authority covers it (never its maker) approves or rejects it, and the maker may withdraw it.

Plain forms posted with the session's CSRF token, readable without script; HTMX only swaps
the quote into the page. A refused form comes back as it was typed (the field named), with
the status of the error; a done one redirects (303) to the page with a notice. The rules and
the audit are the arrangements services' (``services.workbench.arrangements``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears import bootstrap
from arrears.domain.arrangements.counselling import CounsellingDirectory
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.money import Money, cents_text
from arrears.entrypoints.api.errors import status_of
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import OptForm
from arrears.entrypoints.web.session import PageUser, require_form_user, require_user
from arrears.services.arrangements.common import new_id
from arrears.services.workbench import arrangements
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import Conflict, Forbidden, InvalidInput, WorkbenchError
from arrears.services.workbench.principal import Principal

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)


@lru_cache(maxsize=1)
def directory() -> CounsellingDirectory:
    return bootstrap.counselling_directory()


def percent(share: object) -> str:
    """A share stored as a fraction, as people read it: ``0.20`` -> ``20%``."""
    try:
        value = Decimal(str(share)) * 100
    except InvalidOperation:
        return str(share)
    return f"{value.normalize():f}%"


def fen(amount: Money) -> str:
    """An amount to the fen with thousands separators: ``1,500.00`` (the form's own format)."""
    return cents_text(int((amount.amount * 100).to_integral_value(ROUND_HALF_UP)))


def desk_context(wb: Workbench, principal: Principal, view: dict[str, Any]) -> dict[str, Any]:
    """What the account page's arrangement forms need: the choices, the requests waiting on the
    account, a fresh payment id (the same form posted twice posts once)."""
    account_id = view["account"]["account_id"]
    return {
        "pending_here": arrangements.pending_on(wb, principal, account_id),
        "organisations": arrangements.organisations(directory(), view["customer"].get("jurisdiction")),
        "plan_bases": list(PlanBasis), "hardship_kinds": list(HardshipKind),
        "payment_channels": arrangements.PAYMENT_CHANNELS, "new_payment_id": new_id("PAY"),
        "now_local": wb.now().astimezone(ZoneInfo(wb.timezone)).strftime("%Y-%m-%dT%H:%M"), "today": wb.today(),
    }


def _account(request: Request, user: PageUser, account_id: str, *, kind: str, typed: dict[str, str | None],
             error: WorkbenchError | None = None, **extra: Any) -> Response:
    """The account page with the ``kind`` form open and filled as typed; an error's status
    (200 for HTMX, which swaps only what succeeded)."""
    from arrears.entrypoints.web.pages import account_page_response

    status = 200 if error is None or request.headers.get("hx-request") else status_of(error)
    return account_page_response(request, user, account_id, status_code=status, arr_open=kind, arr_entered=typed,
                                 arr_error=error, **extra)


def _made(request: Request, account_id: str, kind: str, typed: dict[str, str | None], csrf_token: str | None
          ) -> Response:
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    wb = workbench_of(request.app)
    try:
        made = arrangements.make(wb, _as(user, request), account_id, kind, typed, directory=directory())
    except (InvalidInput, Forbidden, Conflict) as error:
        return _account(request, user, account_id, kind=kind, typed=typed, error=error)
    done = f"pending={made.pending.approval_id}" if made.pending else f"arranged={kind}&ref={made.ref}"
    again = "" if made.changed else "&again=1"
    return RedirectResponse(f"/accounts/{account_id}?{done}{again}#arrangements", status_code=303)


@router.post("/accounts/{account_id}/plans/quote")
def quote_plan(request: Request, account_id: str, *, months: OptForm = None, first_due: OptForm = None,
               basis: OptForm = None, monthly_fee_rate: OptForm = None, note: OptForm = None,
               csrf_token: OptForm = None) -> Response:
    """The plan's schedule, every installment, and the form to agree exactly these terms."""
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    typed = {"months": months, "first_due": first_due, "basis": basis, "monthly_fee_rate": monthly_fee_rate,
             "note": note}
    try:
        quoted = arrangements.quote_plan(workbench_of(request.app), _as(user, request), account_id, typed)
    except InvalidInput as error:
        return _account(request, user, account_id, kind="plan", typed=typed, error=error)
    return _account(request, user, account_id, kind="plan", typed=typed, quote=quoted)


@router.post("/accounts/{account_id}/plans")
def agree_plan(request: Request, account_id: str, *, months: OptForm = None, first_due: OptForm = None,
               basis: OptForm = None, monthly_fee_rate: OptForm = None, note: OptForm = None,
               csrf_token: OptForm = None) -> Response:
    typed = {"months": months, "first_due": first_due, "basis": basis, "monthly_fee_rate": monthly_fee_rate,
             "note": note}
    return _made(request, account_id, "plan", typed, csrf_token)


@router.post("/accounts/{account_id}/settlements")
def offer_settlement(request: Request, account_id: str, *, discount: OptForm = None, first_due: OptForm = None,
                     payments: OptForm = None, note: OptForm = None, csrf_token: OptForm = None) -> Response:
    typed = {"discount": discount, "first_due": first_due, "payments": payments, "note": note}
    return _made(request, account_id, "settlement", typed, csrf_token)


@router.post("/accounts/{account_id}/extensions")
def grant_extension(request: Request, account_id: str, *, original_due: OptForm = None, new_due: OptForm = None,
                    note: OptForm = None, csrf_token: OptForm = None) -> Response:
    typed = {"original_due": original_due, "new_due": new_due, "note": note}
    return _made(request, account_id, "extension", typed, csrf_token)


@router.post("/accounts/{account_id}/hardship")
def enrol_hardship(request: Request, account_id: str, *, kind: OptForm = None, start: OptForm = None,
                   end: OptForm = None, review_on: OptForm = None, token_amount: OptForm = None,
                   reason: OptForm = None, csrf_token: OptForm = None) -> Response:
    typed = {"kind": kind, "start": start, "end": end, "review_on": review_on, "token_amount": token_amount,
             "reason": reason}
    return _made(request, account_id, "hardship", typed, csrf_token)


@router.post("/accounts/{account_id}/referrals")
def refer_to_counselling(request: Request, account_id: str, *, organisation_id: OptForm = None,
                         consent: OptForm = None, csrf_token: OptForm = None) -> Response:
    typed = {"organisation_id": organisation_id, "consent": consent}
    return _made(request, account_id, "referral", typed, csrf_token)


@router.post("/accounts/{account_id}/payments")
def post_payment(request: Request, account_id: str, *, amount: OptForm = None, paid_at: OptForm = None,
                 channel: OptForm = None, payment_id: OptForm = None, csrf_token: OptForm = None) -> Response:
    typed = {"amount": amount, "paid_at": paid_at, "channel": channel, "payment_id": payment_id}
    return _made(request, account_id, "payment", typed, csrf_token)


# --- the approvals inbox ------------------------------------------------------------------
def _inbox(request: Request, user: PageUser, status_code: int = 200, **extra: Any) -> Response:
    from arrears.entrypoints.web.pages import _as, render

    box = arrangements.inbox(workbench_of(request.app), _as(user, request))
    return render(request, "approvals.html", user, status_code=status_code, inbox=box,
                  done=request.query_params.get("done"), ref=request.query_params.get("ref"),
                  account=request.query_params.get("account"), **extra)


@router.get("/approvals")
def approvals_page(request: Request) -> Response:
    return _inbox(request, require_user(request))


def _decided(request: Request, approval_id: str, csrf_token: str | None, step: str, text: str) -> Response:
    from arrears.entrypoints.web.pages import _as

    user = require_form_user(request, csrf_token)
    wb, principal = workbench_of(request.app), _as(user, request)
    try:
        if step == "approved":
            decided = arrangements.approve(wb, principal, approval_id, text)
        elif step == "rejected":
            decided = arrangements.reject(wb, principal, approval_id, text)
        else:
            decided = arrangements.withdraw(wb, principal, approval_id)
    except (InvalidInput, Forbidden, Conflict) as error:
        return _inbox(request, user, status_of(error), error=error, failed=approval_id, typed=text)
    return RedirectResponse(f"/approvals?done={step}&ref={approval_id}&account={decided.account_id}",
                            status_code=303)


@router.post("/approvals/{approval_id}/approve")
def approve(request: Request, approval_id: str, note: OptForm = None, csrf_token: OptForm = None) -> Response:
    return _decided(request, approval_id, csrf_token, "approved", note or "")


@router.post("/approvals/{approval_id}/reject")
def reject(request: Request, approval_id: str, reason: OptForm = None, csrf_token: OptForm = None) -> Response:
    return _decided(request, approval_id, csrf_token, "rejected", reason or "")


@router.post("/approvals/{approval_id}/withdraw")
def withdraw(request: Request, approval_id: str, csrf_token: OptForm = None) -> Response:
    return _decided(request, approval_id, csrf_token, "withdrawn", "")
