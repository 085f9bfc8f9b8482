"""Workbench errors as HTTP answers: JSON on /v1, a page elsewhere. Each names the field and rules."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from arrears.entrypoints.api.inputs import validation_answer
from arrears.services.workbench.errors import (
    Conflict,
    ContactBlocked,
    Forbidden,
    InvalidInput,
    LoginRefused,
    NotEligible,
    NotFound,
    WorkbenchError,
)

STATUS = {NotFound: 404, Forbidden: 403, NotEligible: 403, InvalidInput: 422, LoginRefused: 401, Conflict: 409,
          ContactBlocked: 409}


def status_of(error: WorkbenchError) -> int:
    return STATUS.get(type(error), 400)


def error_body(error: WorkbenchError, language: str) -> dict[str, Any]:
    body: dict[str, Any] = {"code": type(error).__name__, "message": error.message(language),
                            "message_zh": error.zh, "message_en": error.en, "field": error.field}
    if isinstance(error, NotEligible):
        body["rules"] = list(error.rules)
    if isinstance(error, ContactBlocked):
        v = error.verdict
        body.update(decision=v.decision, rules=list(v.rules), reasons=list(v.reasons), warnings=list(v.warnings),
                    pack_versions=list(v.pack_versions))
    return body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> Response:
        return validation_answer(error)

    @app.exception_handler(WorkbenchError)
    async def workbench_error(request: Request, error: WorkbenchError) -> Response:
        language = "en" if request.query_params.get("lang") == "en" else "zh"
        if request.url.path.startswith("/v1/"):
            headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, LoginRefused) else None
            return JSONResponse({"error": error_body(error, language)}, status_code=status_of(error),
                                headers=headers)
        from arrears.entrypoints.web.pages import error_page

        return error_page(request, error)
