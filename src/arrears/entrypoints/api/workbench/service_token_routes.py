"/v1/service-tokens: tokens for systems (a dialer, a gateway), issued and revoked by in-house administrators."

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep, WorkbenchDep
from arrears.entrypoints.api.workbench.schemas import INVALID, ServiceTokenIn, ServiceTokenIssued, ServiceTokenOut
from arrears.services.workbench import service_tokens
from arrears.services.workbench.service_tokens import Actor

router = APIRouter(prefix="/v1/service-tokens", tags=["service tokens"], route_class=StrictInputRoute,
                   responses=INVALID)
ADMIN_ONLY: dict[int | str, dict[str, Any]] = {403: {"description": "in-house administrators only (audited)"}}


@router.post("", response_model=ServiceTokenIssued, status_code=status.HTTP_201_CREATED, responses=ADMIN_ONLY)
def issue_service_token(body: ServiceTokenIn, principal: PrincipalDep, wb: WorkbenchDep) -> ServiceTokenIssued:
    """Issue a token with scopes (and an optional expiry). The token is in this answer only."""
    made = service_tokens.issue(wb, Actor(principal), body.name, [s.value for s in body.scopes], body.expires_at)
    return ServiceTokenIssued(token_id=made.token_id, name=made.name, scopes=list(made.scopes),
                              created_by=f"user:{principal.username}", created_at=made.created_at,
                              expires_at=made.expires_at, token=made.token)


@router.get("", response_model=list[ServiceTokenOut], responses=ADMIN_ONLY)
def list_service_tokens(principal: PrincipalDep, wb: WorkbenchDep) -> list[dict[str, Any]]:
    """Every token, newest first: name, scopes, who made it, expiry, revocation, last use; never the token."""
    return service_tokens.list_tokens(wb, Actor(principal))


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses={**ADMIN_ONLY, 404: {"description": "no such token"}})
def revoke_service_token(token_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    """Revoke a token: the next request with it gets 401."""
    service_tokens.revoke(wb, Actor(principal), token_id)
