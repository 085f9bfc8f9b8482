"""API dependencies: the workbench, the bearer-token principal, service callers, the reply language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from arrears.domain.access import Permission, ServiceScope
from arrears.entrypoints.api.workbench.state import get_workbench
from arrears.services.workbench.auth import token_principal
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.service_tokens import PREFIX, ServiceCaller, service_caller

bearer = HTTPBearer(auto_error=False, description="an API token from POST /v1/auth/token, or a service token")

WorkbenchDep = Annotated[Workbench, Depends(get_workbench)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorised(zh: str = "需要有效的 API 令牌", en: str = "a valid API token is required") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail={"message_zh": zh, "message_en": en},
                         headers={"WWW-Authenticate": "Bearer"})


def _forbidden(zh: str, en: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail={"message_zh": zh, "message_en": en})


OPEN_UNTIL_CHANGED = ("/v1/me", "/v1/me/password")  # before a given password is changed


def current_principal(request: Request, wb: WorkbenchDep, credentials: CredentialsDep) -> Principal:
    principal = token_principal(wb, credentials.credentials) if credentials else None
    if principal is None:
        raise _unauthorised()
    if principal.password_change_required and request.url.path not in OPEN_UNTIL_CHANGED:
        raise _forbidden("请先修改初始密码（POST /v1/me/password）",
                         "change the password you were given first (POST /v1/me/password)")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _service(wb: Workbench, credentials: HTTPAuthorizationCredentials | None, scope: ServiceScope) -> ServiceCaller:
    caller = service_caller(wb, credentials.credentials) if credentials else None
    if caller is None:
        raise _unauthorised("需要有效的服务令牌", "a valid service token is required")
    if scope not in caller.scopes:
        raise _forbidden(f"服务令牌没有 {scope.value} 权限范围", f"the service token lacks the scope {scope.value}")
    return caller


def require_scope(scope: ServiceScope) -> Callable[[Workbench, HTTPAuthorizationCredentials | None], ServiceCaller]:
    """A dependency: a live service token with ``scope`` (401 without a live token, 403 without the scope).
    Its last use is recorded."""

    def dependency(wb: WorkbenchDep, credentials: CredentialsDep) -> ServiceCaller:
        return _service(wb, credentials, scope)

    return dependency


@dataclass(frozen=True, slots=True)
class Caller:
    """A signed-in user or a system: ``label`` is ``user:<username>`` or ``service:<token name>``."""

    label: str
    principal: Principal | None = None
    service: ServiceCaller | None = None


def user_or_service(
    permission: Permission, scope: ServiceScope
) -> Callable[[Request, Workbench, HTTPAuthorizationCredentials | None], Caller]:
    """A dependency: a user's API token with ``permission`` or a service token with ``scope``."""

    def dependency(request: Request, wb: WorkbenchDep, credentials: CredentialsDep) -> Caller:
        if credentials is not None and credentials.credentials.startswith(PREFIX):
            service = _service(wb, credentials, scope)
            return Caller(service.label, service=service)
        principal = current_principal(request, wb, credentials)
        if not principal.may(permission):
            raise _forbidden(f"角色 {principal.role.value} 无权执行此操作（{permission.value}）",
                             f"the role {principal.role.value} may not do this ({permission.value})")
        return Caller(f"user:{principal.username}", principal=principal)

    return dependency


def reply_language(
    request: Request, lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="zh (default) or en")] = None,
) -> str:
    if lang:
        return lang
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh"


LanguageDep = Annotated[str, Depends(reply_language)]
