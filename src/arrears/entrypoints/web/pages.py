"""Server-rendered pages (Jinja2 + HTMX) over the same services as the /v1 API."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from arrears.domain.access import Permission, landing_page
from arrears.domain.money import cents_text
from arrears.domain.vocabulary import (
    INBOUND_OUTCOMES_OF_CHANNEL,
    RECORDED_PARTIES,
    Channel,
    ContactKind,
    Direction,
    Outcome,
)
from arrears.domain.work_queue import COLLECTOR_SKIPS
from arrears.entrypoints.api.errors import status_of
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web import arrangement_pages, case_pages, contact_point_pages
from arrears.entrypoints.web.form_inputs import FormStr, OptForm, form_day, local_datetime
from arrears.entrypoints.web.i18n import pick_language, translations
from arrears.entrypoints.web.labels import label, labels, queue_reason
from arrears.entrypoints.web.session import (
    LOGIN_CSRF,
    PASSWORD_PAGE,
    PageUser,
    check_csrf,
    new_login_csrf,
    page_user,
    require_form_user,
    require_user,
    set_login_csrf_cookie,
    set_session_cookie,
)
from arrears.services.workbench import (
    accounts,
    audit_trail,
    auth,
    contacts,
    messages,
    oversight,
    queue,
    search,
)
from arrears.services.workbench.errors import ContactBlocked, InvalidInput, WorkbenchError

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
PHONE = re.compile(r"\+?\(?[0-9][0-9 ()-]{3,24}")


def tel_uri(value: object) -> str:
    """A ``tel:`` link for a revealed phone number (``+86 138-0013-8000`` -> ``tel:+8613800138000``);
    empty for anything else (an e-mail or a postal address gets no call link)."""
    text = str(value or "").strip()
    if not PHONE.fullmatch(text):
        return ""
    digits = re.sub(r"[^0-9]", "", text)
    return f"tel:{'+' if text.startswith('+') else ''}{digits}" if 5 <= len(digits) <= 16 else ""


templates.env.filters["tel"] = tel_uri
templates.env.filters["percent"] = arrangement_pages.percent
templates.env.filters["fen"] = arrangement_pages.fen
router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)


def _language(request: Request, user: PageUser | None) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         user.principal.language if user else None)


def _money(cents: int | None) -> str:
    return "—" if cents is None else cents_text(cents)


def rule_href(rule_id: str | None) -> str | None:
    """Where a rule id shown on a page links: its row in the rule book (none for an unknown id)."""
    rule_id = (rule_id or "").strip()
    return f"/rules#rule-{rule_id}" if rule_id in known_rule_ids() else None


@lru_cache(maxsize=1)
def known_rule_ids() -> frozenset[str]:
    from arrears.services.compliance_rules import rule_ids

    return rule_ids()


def render(request: Request, name: str, user: PageUser | None, status_code: int = 200, **data: Any) -> Response:
    wb = workbench_of(request.app)
    language = _language(request, user)
    zone = ZoneInfo(wb.timezone)

    def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return "—"
        value = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
        return value.astimezone(zone).strftime(fmt)

    catalogue = translations(language)
    context = {
        "_": catalogue.gettext, "label": partial(label, catalogue), "labels": partial(labels, catalogue),
        "queue_reason": partial(queue_reason, catalogue),
        "lang": language, "user": user,
        "principal": user.principal if user else None, "csrf": user.csrf if user else "", "money": _money,
        "local": local, "Permission": Permission, "now": wb.now(), "rule_href": rule_href, **data,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", language, samesite="lax", httponly=True)
    return response


def _as(user: PageUser, request: Request) -> Any:
    return replace(user.principal, language=_language(request, user))


def error_page(request: Request, error: WorkbenchError) -> Response:
    user = page_user(request)
    return render(request, "error.html", user, status_code=status_of(error), error=error)


@router.get("/")
def home(request: Request) -> Response:
    user = page_user(request)
    return RedirectResponse(landing_page(user.principal.role) if user else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    token = new_login_csrf()
    response = render(request, "login.html", None, login_csrf=token)
    set_login_csrf_cookie(workbench_of(request.app), response, token)
    return response


@router.post("/login")
def login(request: Request, username: FormStr, password: FormStr, csrf_token: OptForm = None) -> Response:
    check_csrf(request, request.cookies.get(LOGIN_CSRF), csrf_token)  # double submit: no cookie, no login
    wb = workbench_of(request.app)
    try:
        principal = auth.authenticate(wb, username, password)
    except WorkbenchError as error:
        return render(request, "login.html", None, status_code=401, error=error.message(_language(request, None)),
                      login_csrf=request.cookies.get(LOGIN_CSRF, ""))
    token, _csrf = auth.open_session(wb, principal)
    response = RedirectResponse(PASSWORD_PAGE if principal.password_change_required else landing_page(principal.role),
                                status_code=303)
    set_session_cookie(wb, response, token)
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    auth.close_session(workbench_of(request.app), user.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie("arrears_session")
    return response


@router.get("/queue")
def queue_page(request: Request) -> Response:
    user = require_user(request)
    if not user.principal.may(Permission.TAKE_WORK):  # a role without a queue goes to its own page
        return RedirectResponse(landing_page(user.principal.role), status_code=303)
    return _queue_page(request, user)


def _queue_page(request: Request, user: PageUser, blocked: ContactBlocked | None = None) -> Response:
    data = queue.my_queue(workbench_of(request.app), _as(user, request))
    return render(request, "queue.html", user, queue=data, empty=request.query_params.get("empty"),
                  skipped=request.query_params.get("skipped"), blocked=blocked, skip_reasons=COLLECTOR_SKIPS)


def _to_next(request: Request, user: PageUser) -> Response:
    """The next account's page; the queue page saying why when nobody may be contacted now."""
    try:
        got = queue.next_account(workbench_of(request.app), _as(user, request))
    except ContactBlocked as blocked:
        return _queue_page(request, user, blocked)
    if got is None:
        return RedirectResponse("/queue?empty=1", status_code=303)
    return RedirectResponse(f"/accounts/{got['account_id']}", status_code=303)


@router.post("/search")
def search_page(request: Request, q: OptForm = None, csrf_token: OptForm = None) -> Response:
    """The search box's results: a customer calling in gives an account id, a phone or an ID number.
    Posted, not in the address: a phone or an ID number typed must not land in URLs and access logs."""
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    try:
        found = search.search(workbench_of(request.app), _as(user, request), q or "")
    except InvalidInput as error:
        return render(request, "search.html", user, status_code=422, found=None, error=error)
    return render(request, "search.html", user, found=found, error=None)


@router.post("/queue/next")
def take_next(request: Request, csrf_token: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    return _to_next(request, user)


@router.post("/accounts/{account_id}/skip")
def skip_account(request: Request, account_id: str, *, reason: FormStr, csrf_token: OptForm = None) -> Response:
    """Skip the account I hold, with a reason: it rests, and the next account opens."""
    user = require_form_user(request, csrf_token)
    queue.skip(workbench_of(request.app), _as(user, request), account_id, reason)
    return _to_next(request, user)


# The contact form of an inbound call as the search result opens it: a call the debtor made to us,
# answered, a conversation until the collector says otherwise.
INBOUND_PRESET = {"channel": Channel.CALL.value, "direction": Direction.INBOUND.value, "party": "debtor",
                  "outcome": Outcome.CONVERSATION.value}
INBOUND_OUTCOMES = INBOUND_OUTCOMES_OF_CHANNEL[Channel.CALL]
PHONE_KINDS = (ContactKind.MOBILE.value, ContactKind.HOME.value, ContactKind.WORK.value)


def _inbound_form(request: Request, principal: Any, account_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Whether the contact form is an inbound call's (opened from a search result, or sent back
    refused), with its preset values, and the account the collector holds meanwhile."""
    entered = extra.get("entered") or {}
    inbound = entered.get("direction") == Direction.INBOUND or (
        not entered and request.query_params.get("inbound") == "1")
    if not inbound or not principal.may(Permission.LOG_CONTACT):
        return {"inbound_mode": False}
    wb = workbench_of(request.app)
    held = queue.held_account(wb, principal) if principal.may(Permission.TAKE_WORK) else None
    return {"inbound_mode": True, "entered": entered or INBOUND_PRESET,
            "held_elsewhere": held if held != account_id else None}


def account_page_response(request: Request, user: PageUser, account_id: str, status_code: int = 200,
                          **extra: Any) -> Response:
    """The account page; ``extra`` carries what a refused or quoted form shows (kept as typed)."""
    wb = workbench_of(request.app)
    principal = _as(user, request)
    view = accounts.account_view(wb, principal, account_id)
    status_now = contacts.compliance_status(wb, principal, account_id)
    if principal.may(Permission.LOG_CONTACT):
        extra = arrangement_pages.desk_context(wb, principal, view) | extra
    extra |= _inbound_form(request, principal, account_id, extra)
    q = request.query_params
    return render(request, "account.html", user, status_code=status_code, v=view, status_now=status_now,
                  arranged=q.get("arranged"), arranged_ref=q.get("ref"), pending_ref=q.get("pending"),
                  arranged_again=q.get("again"),
                  messages=None, cases=case_pages.open_cases(wb, principal, account_id), cases_today=wb.today(),
                  channels=list(Channel), outcomes=list(Outcome), parties=list(RECORDED_PARTIES),
                  inbound_outcomes=INBOUND_OUTCOMES, inbound_codes=[o.value for o in INBOUND_OUTCOMES],
                  phone_kinds=PHONE_KINDS,
                  blocked_channels={s.channel: s.verdict for s in status_now if not s.verdict.allowed},
                  logged=request.query_params.get("logged"), held=queue.holds(wb, principal, account_id),
                  skip_reasons=COLLECTOR_SKIPS, points=contact_point_pages.page_data(wb, principal, account_id),
                  **extra)


@router.get("/accounts/{account_id}")
def account_page(request: Request, account_id: str) -> Response:
    return account_page_response(request, require_user(request), account_id)


@router.get("/accounts/{account_id}/messages")
def message_previews(request: Request, account_id: str) -> Response:
    """The template previews (each asks the gate): loaded by HTMX after the page, so the page
    itself stays fast; without script the link opens them as a fragment."""
    user = require_user(request)
    wb, principal = workbench_of(request.app), _as(user, request)
    basics = accounts.account_basics(wb, principal, account_id)
    return render(request, "_messages.html", user, messages=messages.message_previews(wb, principal, basics))


@router.post("/accounts/{account_id}/reveal")
def reveal(request: Request, account_id: str, *, field: FormStr, purpose: FormStr, csrf_token: OptForm = None,
           contact_point_id: OptForm = None) -> Response:
    user = require_form_user(request, csrf_token)
    wb = workbench_of(request.app)
    try:
        value = accounts.reveal(wb, _as(user, request), account_id, field=field, purpose=purpose,
                                contact_point_id=contact_point_id or None)
    except InvalidInput as error:
        if request.headers.get("hx-request"):
            return render(request, "_reveal_error.html", user, status_code=200, error=error)
        raise
    if request.headers.get("hx-request"):
        return render(request, "_revealed.html", user, value=value)
    return account_page_response(request, user, account_id, revealed={(field, contact_point_id or ""): value})


@router.post("/accounts/{account_id}/contacts")
def log_contact(
    request: Request, account_id: str, *, channel: FormStr, outcome: FormStr, csrf_token: OptForm = None,
    contact_point_id: OptForm = None, party: OptForm = None, notes: OptForm = None, promise_amount: OptForm = None,
    promise_date: OptForm = None, dispute: OptForm = None, complaint: OptForm = None, callback_at: OptForm = None,
    direction: OptForm = None, then: OptForm = None,
) -> Response:
    """Log a contact; an inbound call (``direction=inbound``) is logged without asking the gate.
    ``then``: ``next`` opens the next account of the queue, ``back`` the account the collector held
    when the customer called in."""
    user = require_form_user(request, csrf_token)
    wb = workbench_of(request.app)
    direction = direction or Direction.OUTBOUND.value
    try:
        contacts.log_contact(wb, _as(user, request), account_id, contacts.LogContact(
            channel=channel, outcome=outcome, contact_point_id=contact_point_id or None, party=party or None,
            notes=notes or None, promise_amount=promise_amount or None,
            promise_date=form_day(promise_date, "promise_date"), dispute=bool(dispute), complaint=bool(complaint),
            callback_at=local_datetime(callback_at, wb.timezone, "callback_at"), direction=direction,
        ))
    except (ContactBlocked, InvalidInput) as error:  # the form comes back as it was typed
        entered = {"channel": channel, "outcome": outcome, "contact_point_id": contact_point_id, "party": party,
                   "notes": notes, "promise_amount": promise_amount, "promise_date": promise_date,
                   "dispute": dispute, "complaint": complaint, "callback_at": callback_at, "direction": direction}
        return account_page_response(request, user, account_id, status_code=status_of(error), error=error,
                                     entered=entered)
    if then == "back":  # an inbound call taken while holding another account: back to it
        held = queue.held_account(wb, _as(user, request))
        if held is not None:
            return RedirectResponse(f"/accounts/{held}", status_code=303)
    if then in ("next", "back"):  # save and next: the contact is logged, the next account opens
        return _to_next(request, user)
    logged = "inbound" if direction == Direction.INBOUND else "1"
    return RedirectResponse(f"/accounts/{account_id}?logged={logged}", status_code=303)


@router.get("/team")
def team(request: Request) -> Response:
    user = require_user(request)
    return render(request, "team.html", user, team=oversight.team_view(workbench_of(request.app), _as(user, request)))


@router.get("/compliance")
def compliance(request: Request, kind: str | None = None, username: str | None = None,
               account_id: str | None = None, source: str | None = None) -> Response:
    user = require_user(request)
    wb, principal = workbench_of(request.app), _as(user, request)
    trail: list[dict[str, Any]] = []
    if principal.may(Permission.VIEW_AUDIT):
        with wb.engine.connect() as connection:
            trail = audit_trail.combined_trail(connection, principal, audit_trail.TrailFilter(
                source if source in audit_trail.SOURCES else None, (kind or None) and kind[:64],
                (username or None) and username[:100], (account_id or None) and account_id[:64], limit=50))
    return render(request, "compliance.html", user, blocked=oversight.blocked_by_rule(wb, principal),
                  reviews=oversight.reviews_and_warnings(wb, principal, 50),
                  complaints=oversight.complaints(wb, principal, 50), trail=trail, sources=audit_trail.SOURCES,
                  filters={"kind": kind or "", "username": username or "", "account_id": account_id or "",
                           "source": source or ""})
