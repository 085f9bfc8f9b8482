"""/v1/auth, /v1/me, /v1/users: tokens and people."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, status

from arrears.domain.access import ROLE_PERMISSIONS
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep, WorkbenchDep, bearer, current_principal
from arrears.entrypoints.api.workbench.schemas import (
    INVALID,
    LanguageIn,
    MeOut,
    PasswordChangeIn,
    TokenOut,
    TokenRequest,
    UserChangedOut,
    UserChangeIn,
    UserIn,
    UserOut,
)
from arrears.services.workbench import auth, users

router = APIRouter(prefix="/v1", tags=["auth"], route_class=StrictInputRoute,
                   responses=INVALID)
REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "outside your scope or authority (rules and reasons; audited)"}}


@router.post("/auth/token", response_model=TokenOut,
             responses={401: {"description": "wrong username or password, or locked (one answer for all)"}})
def issue_token(body: TokenRequest, wb: WorkbenchDep) -> TokenOut:
    """Exchange a username and password for a bearer token (throttled: 5 failures lock 15 minutes)."""
    principal = auth.authenticate(wb, body.username, body.password)
    token, expires = auth.issue_token(wb, principal, body.name)
    return TokenOut(access_token=token, expires_at=expires)


@router.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(current_principal)])
async def revoke_token(request: Request, wb: WorkbenchDep) -> None:
    """Revoke the token this request carries."""
    credentials = await bearer(request)
    if credentials is not None:
        auth.revoke_token(wb, credentials.credentials)


@router.get("/me", response_model=MeOut)
def me(principal: PrincipalDep) -> MeOut:
    return MeOut(username=principal.username, display_name=principal.display_name, role=principal.role,
                 agency_id=principal.agency_id, agent_id=principal.agent_id, language=principal.language,
                 permissions=sorted(p.value for p in ROLE_PERMISSIONS[principal.role]))


@router.put("/me/language", status_code=status.HTTP_204_NO_CONTENT)
def set_language(body: LanguageIn, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    auth.set_language(wb, principal, body.language)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT,
             responses={403: {"description": "the current password is wrong"},
                        422: {"description": "the new password breaks the policy"}})
def change_password(body: PasswordChangeIn, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    """Change your own password: the current one, and a new one that meets the password policy."""
    auth.change_own_password(wb, principal, body.current_password, body.new_password)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, responses=REFUSED)
def create_user(body: UserIn, principal: PrincipalDep, wb: WorkbenchDep) -> UserOut:
    """Add a user within your scope and authority: an agency's administrator adds only users of that
    agency and no administrators; nobody gives a role with permissions they do not hold."""
    user_id = users.add_user(wb, principal, auth.NewUser(
        body.username, body.password, body.role, body.display_name, body.agency_id, body.agent_id, body.language,
    ))
    return UserOut(user_id=user_id, username=body.username, role=body.role)


@router.patch("/users/{username}", response_model=UserChangedOut,
              responses={**REFUSED, 404: {"description": "no such user"}})
def change_user(username: str, body: UserChangeIn, principal: PrincipalDep, wb: WorkbenchDep) -> dict[str, Any]:
    """Change a user's role, agency, agent, active flag, or reset the password (same rule as adding, for
    the user as they are and as they will be; deactivating or resetting ends their sessions and tokens)."""
    given = body.model_fields_set
    change = users.UserChange(**{name: getattr(body, name) for name in
                                 ("role", "agency_id", "agent_id", "active", "password")
                                 if name in given and (getattr(body, name) is not None
                                                       or name in ("agency_id", "agent_id"))})
    return users.change_user(wb, principal, username, change)
