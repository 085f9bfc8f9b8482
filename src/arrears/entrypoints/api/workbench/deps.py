"""API dependencies: the workbench, the bearer-token principal, the reply language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from arrears.entrypoints.api.workbench.state import get_workbench
from arrears.services.workbench.auth import token_principal
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

bearer = HTTPBearer(auto_error=False, description="an API token from POST /v1/auth/token")

WorkbenchDep = Annotated[Workbench, Depends(get_workbench)]


def current_principal(
    wb: WorkbenchDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    principal = token_principal(wb, credentials.credentials) if credentials else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail={"message_zh": "需要有效的 API 令牌", "message_en": "a valid API token is required"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def reply_language(
    request: Request, lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="zh (default) or en")] = None,
) -> str:
    if lang:
        return lang
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh"


LanguageDep = Annotated[str, Depends(reply_language)]
