"""People (人员管理): administrators add users (a generated password, shown once and changed at first
login), disable and enable them, reset passwords, and change roles and agencies within their own
scope and authority; every user changes their own password. The rules and the audit are the
services' (``services.workbench.users``, ``auth``), the same as the /v1 API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from arrears.domain.access import Role, landing_page
from arrears.entrypoints.api.errors import status_of
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.web.form_inputs import FormStr, OptForm, day_field
from arrears.entrypoints.web.pages import _as, _language, error_page, render
from arrears.entrypoints.web.session import PageUser, check_csrf, require_user
from arrears.services.workbench import auth, users
from arrears.services.workbench.errors import InvalidInput, WorkbenchError

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
ACTIONS = ("disable", "enable", "reset", "change")


def _people_page(request: Request, user: PageUser, status_code: int = 200, **extra: Any) -> Response:
    principal = _as(user, request)
    return render(request, "people.html", user, status_code=status_code, roles=list(Role),
                  people=users.list_users(workbench_of(request.app), principal), **extra)


@router.get("/people")
def people(request: Request) -> Response:
    user = require_user(request)
    try:
        return _people_page(request, user)
    except WorkbenchError as error:
        return error_page(request, error)


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(f"没有角色 {text}", f"no role {text}", "role") from None


@router.post("/people")
def add_person(request: Request, *, username: FormStr, role: FormStr, display_name: OptForm = None,
               agency_id: OptForm = None, agent_id: OptForm = None, csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    wb = workbench_of(request.app)
    try:
        new = auth.NewUser(username.strip(), "", _role(role), (display_name or "").strip() or None,
                           (agency_id or "").strip() or None, (agent_id or "").strip() or None)
        password = users.add_user_with_generated_password(wb, _as(user, request), new)
    except WorkbenchError as error:
        return _people_page(request, user, status_code=status_of(error), error=error.message(
            _language(request, user)), typed={"username": username, "role": role, "display_name": display_name,
                                              "agency_id": agency_id, "agent_id": agent_id})
    return _people_page(request, user, shown_password={"username": new.username, "password": password})


def _change(role: str | None, agency_id: str | None) -> users.UserChange:
    if role is None and agency_id is None:
        raise InvalidInput("没有要修改的内容", "nothing to change", None)
    return users.UserChange(role=_role(role) if role else users.KEEP,
                            agency_id=users.KEEP if agency_id is None else (agency_id.strip() or None))


@router.post("/people/{username}")
def change_person(request: Request, username: str, *, action: FormStr, role: OptForm = None,
                  agency_id: OptForm = None, csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    wb, actor = workbench_of(request.app), _as(user, request)
    try:
        if action == "reset":
            shown = {"username": username, "password": users.reset_password(wb, actor, username)}
            return _people_page(request, user, shown_password=shown)
        if action not in ACTIONS:
            raise InvalidInput(f"没有操作 {action}", f"no action {action}", "action")
        change = users.UserChange(active=action == "enable") if action in ("disable", "enable") else _change(
            role, agency_id)
        users.change_user(wb, actor, username, change)
    except WorkbenchError as error:
        return _people_page(request, user, status_code=status_of(error),
                            error=error.message(_language(request, user)))
    return RedirectResponse("/people", status_code=303)


@router.post("/people/{username}/training")
def record_training(request: Request, username: str, *, course: FormStr, completed_on: FormStr, valid_until: FormStr,
                    csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    try:
        record = users.TrainingRecord(course, day_field(completed_on, "completed_on"),
                                      day_field(valid_until, "valid_until"))
        users.record_training(workbench_of(request.app), _as(user, request), username, record)
    except WorkbenchError as error:
        return _people_page(request, user, status_code=status_of(error), error=error.message(_language(request, user)))
    return RedirectResponse("/people", status_code=303)


@router.get("/password")
def password_page(request: Request) -> Response:
    user = require_user(request)
    return render(request, "password.html", user, required=user.principal.password_change_required)


@router.post("/password")
def change_password(request: Request, *, current_password: FormStr, new_password: FormStr, repeat: FormStr,
                    csrf_token: OptForm = None) -> Response:
    user = require_user(request)
    check_csrf(request, user.csrf, csrf_token)
    try:
        if new_password != repeat:
            raise InvalidInput("两次输入的新密码不一致", "the two new passwords differ", "repeat")
        auth.change_own_password(workbench_of(request.app), user.principal, current_password, new_password)
    except WorkbenchError as error:
        return render(request, "password.html", user, status_code=status_of(error),
                      required=user.principal.password_change_required,
                      error=error.message(_language(request, user)), error_field=error.field)
    return RedirectResponse(landing_page(user.principal.role) + "?password=changed", status_code=303)

