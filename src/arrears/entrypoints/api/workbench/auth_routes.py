"""/v1/auth, /v1/me, /v1/users: tokens and people."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from arrears.domain.access import ROLE_PERMISSIONS, Permission
from arrears.entrypoints.api.strict import StrictJsonRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep, WorkbenchDep, bearer
from arrears.entrypoints.api.workbench.schemas import LanguageIn, MeOut, TokenOut, TokenRequest, UserIn, UserOut
from arrears.services.workbench import auth

router = APIRouter(prefix="/v1", tags=["auth"], route_class=StrictJsonRoute)


@router.post("/auth/token", response_model=TokenOut, responses={401: {"description": "wrong password or locked"}})
def issue_token(body: TokenRequest, wb: WorkbenchDep) -> TokenOut:
    """Exchange a username and password for a bearer token (throttled: 5 failures lock 15 minutes)."""
    principal = auth.authenticate(wb, body.username, body.password)
    token, expires = auth.issue_token(wb, principal, body.name)
    return TokenOut(access_token=token, expires_at=expires)


@router.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(request: Request, principal: PrincipalDep, wb: WorkbenchDep) -> None:
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


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, principal: PrincipalDep, wb: WorkbenchDep) -> UserOut:
    """Admin only: add a user (agency users see only their agency's accounts)."""
    principal.require(Permission.MANAGE_USERS)
    user_id = auth.create_user(wb.engine, auth.NewUser(
        body.username, body.password, body.role, body.display_name, body.agency_id, body.agent_id, body.language,
    ), wb.now())
    return UserOut(user_id=user_id, username=body.username, role=body.role)
