"""One error envelope for every /v1 answer that is not a success, from the handlers here.

    {"error": {"code": "InvalidRequest", "message": "...", "message_zh": "...", "message_en": "...",
               "field": "body.amount", "fields": [{"field": "body.amount", "problem": "...", "type": "..."}],
               "rules": ["ARR-AFFORD-01"], ...}}

``code`` is stable (the error's kind); ``message`` is in the caller's language (``?lang=en`` or an
``Accept-Language`` starting with ``en``; Chinese otherwise), ``message_zh`` and ``message_en`` are
both; ``field`` names the one input it is about (or null), ``fields`` lists every problem of a
request that failed validation (where, what, its kind; never the value sent). Rule refusals add
``rules`` (and ``citation``); a contact the gate blocked adds the gate's answer. The compliance
check's own answers (``{"id", "error"}``, spec compliance-check-v1) are not errors of this kind
and keep their shape. Outside /v1 (the pages), errors keep the pages' answers. An unhandled error
is answered with the envelope by ``edge.SecurityHeaders``, the outermost layer (500, ``InternalError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

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

MAX_LOC_PART = 64
# the code and the sentences of an HTTP status when nothing more specific is known
STATUS_WORDS: dict[int, tuple[str, str, str]] = {
    400: ("BadRequest", "请求无法办理", "the request cannot be handled"),
    401: ("Unauthorised", "需要有效的 API 令牌", "a valid API token is required"),
    403: ("Forbidden", "无权执行此操作", "you may not do this"),
    404: ("NotFound", "没有这个资源", "no such resource"),
    405: ("MethodNotAllowed", "不支持此请求方法", "this method is not allowed here"),
    409: ("Conflict", "与当前状态冲突", "this conflicts with the current state"),
    413: ("BodyTooLarge", "请求体过大", "the request body is too large"),
    415: ("UnsupportedMediaType", "不支持此内容类型", "this content type is not supported"),
    422: ("InvalidRequest", "请求内容不符合要求", "the request is not valid"),
    429: ("TooManyRequests", "请求过于频繁", "too many requests"),
}
WORKBENCH_STATUS = {NotFound: 404, Forbidden: 403, NotEligible: 403, InvalidInput: 422, LoginRefused: 401,
                    Conflict: 409, ContactBlocked: 409}


# ---------------------------------------------------------------- the envelope, as data and as a schema
class Problem(BaseModel):
    field: str
    problem: str
    type: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")  # rules, citation, the gate's answer

    code: str
    message: str
    message_zh: str
    message_en: str
    field: str | None = None
    fields: list[Problem] = []
    rules: list[str] | None = None


class ErrorEnvelope(BaseModel):
    """Every /v1 error: what kind, what was wrong (zh and en) and where."""

    error: ErrorBody


def language_of(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The caller's language: ``?lang=en``/``zh``, else ``Accept-Language``, else Chinese."""
    lang = query.get("lang")
    if lang in ("zh", "en"):
        return lang
    return "en" if headers.get("accept-language", "").lower().startswith("en") else "zh"


def envelope(code: str, zh: str, en: str, language: str, *, field: str | None = None,
             fields: Iterable[Mapping[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": en if language == "en" else zh, "message_zh": zh, "message_en": en,
                      "field": field, "fields": list(fields), **extra}}


class ApiError(Exception):
    """An error a route answers with the envelope (``extra`` adds keys such as ``rules``)."""

    def __init__(self, status: int, code: str, zh: str, en: str, *, field: str | None = None,
                 headers: Mapping[str, str] | None = None, **extra: Any) -> None:
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.field = status, code, zh, en, field
        self.headers = dict(headers or {})
        self.extra = extra


def _answer(request: Request, status: int, code: str, zh: str, en: str, *, headers: Mapping[str, str] | None = None,
            **rest: Any) -> JSONResponse:
    body = envelope(code, zh, en, language_of(request.query_params, request.headers), **rest)
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


# ---------------------------------------------------------------- validation: where and what, never the input
def _where(loc: Any) -> str:
    return ".".join(str(part)[:MAX_LOC_PART] for part in loc or ()) or "request"


def _problem(item: Mapping[str, Any]) -> str:
    if item.get("type") == "json_invalid":  # the decoder's own words: what is wrong, never the input
        return f"JSON decode error: {(item.get('ctx') or {}).get('error', '')}".rstrip(": ")
    return str(item.get("msg", ""))


def validation_fields(error: RequestValidationError) -> list[dict[str, Any]]:
    """Per problem: where, what and its kind; never the ``input`` or the ``ctx`` values, which
    echo what was sent."""
    return [{"field": _where(item.get("loc")), "problem": _problem(item), "type": item.get("type")}
            for item in error.errors()]


def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    fields = validation_fields(error)
    where = "; ".join(f["field"] for f in fields)
    return _answer(request, 422, "InvalidRequest", f"请求内容不符合要求（{where}）",
                   f"the request is not valid ({where})", field=fields[0]["field"] if fields else None, fields=fields)


# ---------------------------------------------------------------- workbench errors
def status_of(error: WorkbenchError) -> int:
    return WORKBENCH_STATUS.get(type(error), 400)


def error_body(error: WorkbenchError, language: str) -> dict[str, Any]:
    """The envelope's body for ``error`` (a batch's answer per item carries one)."""
    body: dict[str, Any] = envelope(type(error).__name__, error.zh, error.en, language, field=error.field,
                                    **_workbench_extra(error))["error"]
    return body


def _workbench_extra(error: WorkbenchError) -> dict[str, Any]:
    if isinstance(error, ContactBlocked):
        v = error.verdict
        return {"rules": list(v.rules), "decision": v.decision, "reasons": list(v.reasons),
                "warnings": list(v.warnings), "pack_versions": list(v.pack_versions)}
    if isinstance(error, NotEligible):
        return {"rules": list(error.rules)}
    return {}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/v1/")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every /v1 error with the envelope (the pages keep theirs)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return _invalid(request, error)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return _answer(request, error.status, error.code, error.zh, error.en, field=error.field,
                       headers=error.headers, **error.extra)

    @app.exception_handler(WorkbenchError)
    async def workbench_error(request: Request, error: WorkbenchError) -> Response:
        if _is_api(request):
            headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, LoginRefused) else None
            return _answer(request, status_of(error), type(error).__name__, error.zh, error.en, field=error.field,
                           headers=headers, **_workbench_extra(error))
        from arrears.entrypoints.web.pages import error_page

        return error_page(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not _is_api(request):
            return await http_exception_handler(request, error)
        code, zh, en = STATUS_WORDS.get(error.status_code, ("HTTPError", "请求未能完成", "the request failed"))
        field = None
        if isinstance(error.detail, Mapping):
            zh, en = error.detail.get("message_zh", zh), error.detail.get("message_en", en)
            field = error.detail.get("field")
        return _answer(request, error.status_code, code, zh, en, field=field, headers=error.headers)


# ---------------------------------------------------------------- the envelope in the OpenAPI
def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Name the envelope as the shared schema of every /v1 error answer (4xx and 5xx) in ``schema``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    envelope_schema = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(envelope_schema.pop("$defs", {}))
    components["ErrorEnvelope"] = envelope_schema
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        # the compliance check answers a request it cannot judge with its own {id, error}
        own = ("413", "422") if path.startswith("/v1/compliance/check") else ()
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in ("4", "5") and status not in own:
                    response["content"] = content
                    if status == "422":
                        response["description"] = "the request is not valid: every problem in `fields`"
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
