"""The customer's own page (self-service-v1): ``/p/{token}``, Jinja2, mobile first, Chinese by
default and English, no JavaScript needed.

Before verification the page shows the creditor's name and a button to get a code, nothing
else. Every form carries ``csrf_token``: before verification it must echo the random token of a
pre-session cookie (a double submit); after, the session's own token. The session cookie holds
a random token (only its SHA-256 is stored), HttpOnly, SameSite=Strict, Secure over HTTPS, and
is scoped to the link's path. A tampered, unknown, expired or revoked link answers the same 404."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from arrears.domain.money import spoken_amount
from arrears.domain.vocabulary import PLANNED_CHANNELS
from arrears.entrypoints.api.app_state import kept
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import OptForm
from arrears.entrypoints.web.i18n import pick_language, translations
from arrears.entrypoints.web.labels import label
from arrears.entrypoints.web.self_service_cases import ask_hardship_help, pay_view, raise_dispute
from arrears.entrypoints.web.session import check_csrf
from arrears.services.portal import actions, identity, page
from arrears.services.portal.context import LinkGone, Portal, PortalRefused
from arrears.services.portal.links import open_link
from arrears.services.portal.ports import Session
from arrears.services.workbench.errors import InvalidInput

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
COOKIE = "arrears_portal"
PRE_CSRF = "arrears_portal_csrf"
# What the page says after a successful action (the 303 carries only the key).
DONE = {
    "plan": ("分期方案已生效，请按期还款。", "Your installment plan is in place. Please pay each installment on time."),
    "promise": ("已记录您的还款承诺。", "Your promise to pay is recorded."),
    "preferences": ("已保存您的联系偏好。", "Your contact preferences are saved."),
    "dispute": ("已收到您的异议，我们会在期限内答复；处理期间暂停催收。",
                "Your dispute is received; we will answer within the deadline, and collection is on hold meanwhile."),
    "hardship": ("已收到您的困难帮扶申请，专人会与您联系。",
                 "Your request for hardship help is received; someone will contact you."),
}


def configure_portal(app: FastAPI, portal: Portal) -> None:
    app.state.portal = portal


def _process_portal() -> Portal:
    from arrears import bootstrap

    return bootstrap.portal(bootstrap.container())


def portal_of(app: FastAPI) -> Portal:
    return kept(app, "portal", _process_portal)


def _language(request: Request, fallback: str | None = None) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"), fallback)


def _path(token: str) -> str:
    return f"/p/{token}"


def _secure(request: Request, portal: Portal) -> bool:
    return portal.secure_cookies or request.url.scheme == "https"


def render(request: Request, name: str, status_code: int = 200, language: str | None = None,
           **data: Any) -> Response:
    portal = portal_of(request.app)
    lang = language or _language(request)
    catalogue = translations(lang)
    zone = ZoneInfo(portal.timezone)

    def local(value: datetime | None, fmt: str = "%Y-%m-%d") -> str:
        return "—" if value is None else value.astimezone(zone).strftime(fmt)

    def money(cents: int | None, currency: str = "CNY") -> str:
        return "—" if cents is None else spoken_amount(cents, currency, lang)

    def gettext(message: str, **values: Any) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    context = {"_": gettext, "label": partial(label, catalogue), "lang": lang, "money": money,
               "local": local, "institution": portal.institution, "channels": [str(c) for c in PLANNED_CHANNELS],
               **data}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", lang, samesite="strict", httponly=True, secure=_secure(request, portal))
    return response


def gone(request: Request) -> Response:
    """The one answer for a link that cannot open the page, whatever the reason."""
    return render(request, "portal/gone.html", status_code=404)


def _start(request: Request, token: str, status_code: int = 200, **data: Any) -> Response:
    """The page before verification: the creditor, a button for a code, and the code form."""
    portal = portal_of(request.app)
    pre = request.cookies.get(PRE_CSRF) or secrets.token_urlsafe(32)
    data.setdefault("sent", request.query_params.get("sent") == "1")
    response = render(request, "portal/start.html", status_code=status_code, token=token, csrf=pre, **data)
    response.set_cookie(PRE_CSRF, pre, httponly=True, samesite="strict", secure=_secure(request, portal),
                        path=_path(token))
    return response


def _session(request: Request, token: str) -> Session | None:
    return identity.current_session(portal_of(request.app), token, request.cookies.get(COOKIE))


def _page(request: Request, token: str, session: Session, status_code: int = 200, **data: Any) -> Response:
    portal = portal_of(request.app)
    view = page.customer_view(portal, session)
    done = DONE.get(request.query_params.get("done") or "")
    lang = _language(request, view.summary.language)
    pay = pay_view(workbench_of(request.app), session.account_id)
    response = render(request, "portal/page.html", status_code=status_code, language=lang, token=token, v=view,
                      csrf=session.csrf, flash=(done[1] if lang == "en" else done[0]) if done else None, pay=pay,
                      **data)
    cookie = request.cookies.get(COOKIE)
    if cookie:  # the cookie lives as long as the session: 30 minutes from the last page seen
        _set_session_cookie(request, response, token, cookie)
    return response


def _set_session_cookie(request: Request, response: Response, token: str, value: str) -> None:
    portal = portal_of(request.app)
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", secure=_secure(request, portal),
                        path=_path(token), max_age=int(portal.policy.session_idle.total_seconds()))


@contextmanager
def _link_or_404() -> Iterator[None]:
    try:
        yield
    except LinkGone:
        raise _Gone() from None


class _Gone(Exception):
    pass


def install_portal(app: FastAPI) -> None:
    app.include_router(router)

    @app.exception_handler(_Gone)
    async def _gone(request: Request, _: _Gone) -> Response:
        return gone(request)


@router.get("/p/{token}")
def portal_page(request: Request, token: str) -> Response:
    with _link_or_404():
        session = _session(request, token)
        if session is None:
            return _start(request, token)
        return _page(request, token, session)


@router.post("/p/{token}/code")
def ask_for_code(request: Request, token: str, csrf_token: OptForm = None) -> Response:
    portal = portal_of(request.app)
    with _link_or_404():
        open_link(portal, token)
        check_csrf(request, request.cookies.get(PRE_CSRF), csrf_token)
        try:
            identity.request_code(portal, token, _language(request))
        except PortalRefused as refused:
            return _start(request, token, status_code=refused.status, error=refused.message(_language(request)))
    return RedirectResponse(f"{_path(token)}?sent=1", status_code=303)


@router.post("/p/{token}/verify")
def verify(request: Request, token: str, code: OptForm = None, csrf_token: OptForm = None) -> Response:
    portal = portal_of(request.app)
    with _link_or_404():
        open_link(portal, token)
        check_csrf(request, request.cookies.get(PRE_CSRF), csrf_token)
        try:
            opened = identity.verify_code(portal, token, code or "")
        except PortalRefused as refused:
            return _start(request, token, status_code=refused.status, error=refused.message(_language(request)),
                          sent=True)
    response = RedirectResponse(_path(token), status_code=303)
    _set_session_cookie(request, response, token, opened.token)
    response.delete_cookie(PRE_CSRF, path=_path(token))
    return response


def _verified(request: Request, token: str, csrf_token: str | None) -> Session:
    session = _session(request, token)
    if session is None:
        raise _NotVerified()
    check_csrf(request, session.csrf, csrf_token)
    return session


class _NotVerified(Exception):
    pass


def _act(request: Request, token: str, csrf_token: str | None, action: Any, done: str) -> Response:
    """Run ``action(portal, session)`` for a verified customer: 303 back to the page with a
    message, or the page again with the refusal."""
    with _link_or_404():
        try:
            session = _verified(request, token, csrf_token)
        except _NotVerified:
            return RedirectResponse(_path(token), status_code=303)
        try:
            action(portal_of(request.app), session)
        except PortalRefused as refused:
            lang = _language(request)
            return _page(request, token, session, status_code=refused.status, error=refused.message(lang),
                         error_field=refused.field)
        except InvalidInput as error:  # a case the team would open: the customer's text refused
            return _case_refused(request, token, session, error)
    return RedirectResponse(f"{_path(token)}?done={done}", status_code=303)


@router.get("/p/{token}/plan")
def plan_preview(request: Request, token: str, months: str = "") -> Response:
    with _link_or_404():
        session = _session(request, token)
        if session is None:
            return RedirectResponse(_path(token), status_code=303)
        portal = portal_of(request.app)
        view = page.customer_view(portal, session)
        if not months.isdigit() or int(months) not in view.offers:
            return _page(request, token, session, status_code=422, error=_choose(request), error_field="months")
        schedule = page.quote(portal, page.principal_of(portal, session.account_id), int(months))
        return render(request, "portal/plan.html", language=_language(request, view.summary.language), token=token,
                      v=view, schedule=schedule, csrf=session.csrf, cents=page.cents_of)


def _choose(request: Request) -> str:
    return "choose one of the plans on offer" if _language(request) == "en" else "请选择可选的期数"


@router.post("/p/{token}/plan")
def choose_plan(request: Request, token: str, months: OptForm = None, csrf_token: OptForm = None) -> Response:
    return _act(request, token, csrf_token, lambda portal, s: actions.choose_plan(portal, s, months or ""), "plan")


@router.post("/p/{token}/promise")
def promise(request: Request, token: str, amount: OptForm = None, date: OptForm = None,
            csrf_token: OptForm = None) -> Response:
    return _act(request, token, csrf_token,
                lambda portal, s: actions.promise_payment(portal, s, amount or "", date or ""), "promise")


@router.post("/p/{token}/preferences")
def preferences(request: Request, token: str, *, channel: OptForm = None, hours: OptForm = None,
                opt_out: OptForm = None, csrf_token: OptForm = None) -> Response:
    return _act(request, token, csrf_token,
                lambda portal, s: actions.set_preferences(portal, s, channel, hours, opt_out), "preferences")


def _case_refused(request: Request, token: str, session: Session, error: InvalidInput) -> Response:
    return _page(request, token, session, status_code=422, error=error.message(_language(request)),
                 error_field=error.field)


@router.post("/p/{token}/dispute")
def dispute(request: Request, token: str, text: OptForm = None, csrf_token: OptForm = None) -> Response:
    """The customer disputes the debt: a case for the team, and collection holds until it is closed."""
    return _act(request, token, csrf_token,
                lambda _portal, session: raise_dispute(workbench_of(request.app), session.account_id, text or ""),
                "dispute")


@router.post("/p/{token}/hardship")
async def hardship(request: Request, token: str, text: OptForm = None, files: Annotated[
        list[UploadFile] | None, File()] = None, csrf_token: OptForm = None) -> Response:
    """Hardship help with up to 3 files (PDF, JPEG, PNG; 5 MB each; checked by content, stored encrypted)."""
    with _link_or_404():
        try:
            session = await run_in_threadpool(_verified, request, token, csrf_token)
        except _NotVerified:
            return RedirectResponse(_path(token), status_code=303)
        try:
            await ask_hardship_help(workbench_of(request.app), session.account_id, text or "", files or [])
        except InvalidInput as error:
            return await run_in_threadpool(_case_refused, request, token, session, error)
    return RedirectResponse(f"{_path(token)}?done=hardship", status_code=303)


@router.post("/p/{token}/logout")
def logout(request: Request, token: str, csrf_token: OptForm = None) -> Response:
    with _link_or_404():
        session = _session(request, token)
        if session is not None:
            check_csrf(request, session.csrf, csrf_token)
            identity.close_session(portal_of(request.app), request.cookies.get(COOKIE) or "")
    response = RedirectResponse(_path(token), status_code=303)
    response.delete_cookie(COOKIE, path=_path(token))
    return response


__all__ = ["configure_portal", "install_portal", "portal_of"]
