"""Page sessions: a signed cookie carrying a server-side session token, CSRF per session.

Every form post is checked by ``check_csrf``: the token in the form (or the X-CSRF-Token header) must
equal the one expected, which is the session's, or for the login form the random token of the
pre-session cookie set with the form (a double submit). A missing or short expected token refuses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeSerializer

from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.services.workbench import auth
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

COOKIE = "arrears_session"
LOGIN_CSRF = "arrears_login_csrf"
CSRF_HEADER = "x-csrf-token"
MIN_CSRF = 32  # both tokens are secrets.token_urlsafe(32): 43 characters


@dataclass(frozen=True)
class PageUser:
    principal: Principal
    csrf: str
    token: str


def _signer(wb: Workbench) -> URLSafeSerializer:
    return URLSafeSerializer(wb.session_secret, salt="arrears-session")


def set_session_cookie(wb: Workbench, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, _signer(wb).dumps(token), httponly=True, samesite="lax", secure=wb.secure_cookies,
                        max_age=int(wb.session_ttl.total_seconds()), path="/")


def page_user(request: Request) -> PageUser | None:
    wb = workbench_of(request.app)
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _signer(wb).loads(raw)
    except BadSignature:
        return None
    found = auth.session_principal(wb, token) if isinstance(token, str) else None
    return PageUser(found[0], found[1], token) if found else None


PASSWORD_PAGE = "/password"
OPEN_UNTIL_CHANGED = (PASSWORD_PAGE, "/logout")  # all a user may reach before changing a given password


def require_user(request: Request) -> PageUser:
    user = page_user(request)
    if user is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/login"})
    if user.principal.password_change_required and request.url.path not in OPEN_UNTIL_CHANGED:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": PASSWORD_PAGE})
    return user


def require_form_user(request: Request, csrf_token: str | None) -> PageUser:
    """The signed-in user of a posted form, whose CSRF token (the form's or the header's) is right."""
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    return user


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def set_login_csrf_cookie(wb: Workbench, response: Response, token: str) -> None:
    """The pre-session cookie of the login form: a random token that the form must echo."""
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", secure=wb.secure_cookies, path="/")


def check_csrf(request: Request, expected: str | None, form_token: str | None) -> None:
    """The form's token (or the header's) must equal ``expected``; no expected token, no post."""
    sent = form_token or request.headers.get(CSRF_HEADER) or ""
    if not expected or len(expected) < MIN_CSRF or not secrets.compare_digest(
            sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="CSRF token missing or wrong / 跨站请求校验失败")
