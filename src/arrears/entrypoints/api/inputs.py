"""How the API and the pages read their inputs: every text strictly (``arrears.strict_json``), the date
and time types every request model and query uses (within ``domain.dates``' range), and validation errors
answered without the input.

Every router is an ``APIRouter(route_class=StrictInputRoute)``: a JSON body that is not usable (a lone
surrogate or NUL in a string, NaN, a number too large, not UTF-8), or a query, path or form value with a
NUL or a lone surrogate, is answered 422 naming where, never with a server error.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import AfterValidator, AwareDatetime, BaseModel
from starlette.datastructures import FormData

from arrears import strict_json
from arrears.domain.dates import within
from arrears.strict_json import UNUSABLE, unusable


def _refused(where: str, message: str) -> HTTPException:
    return HTTPException(422, detail=[{"type": "value_error", "loc": where.split("."), "msg": message}])


class StrictInputRequest(Request):
    async def json(self) -> Any:
        """A refusal is ``strict_json.StrictJsonError``, a ``JSONDecodeError``: FastAPI answers it as a
        validation error (422, ``validation_answer``)."""
        if not hasattr(self, "_json"):
            self._json = strict_json.loads(await self.body())
        return self._json

    async def form(self, **limits: Any) -> FormData:  # type: ignore[override]
        urlencoded = self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        if urlencoded and not _utf8(await self.body()):  # the parser would put U+FFFD for what is not UTF-8
            raise _refused("body", NOT_UTF8)
        found = await super().form(**limits)
        for key, value in found.multi_items():
            if unusable(key) or (isinstance(value, str) and unusable(value)):
                raise _refused(f"body.{key.encode('utf-8', 'backslashreplace').decode()[:40]}", UNUSABLE)
        return found


NOT_UTF8 = "percent-encoded bytes that are not UTF-8 (e.g. a lone surrogate %ED%A0%80) are not text"


def _utf8(encoded: bytes) -> bool:
    """Whether percent-encoded bytes (a path, a query string, a form body) decode as UTF-8."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_address(request: Request) -> None:
    for kind, raw in (("path", request.scope.get("raw_path") or b""), ("query", request.scope.get("query_string"))):
        if raw and not _utf8(raw):
            raise _refused(kind, NOT_UTF8)
    for kind, items in (("query", request.query_params.multi_items()), ("path", request.path_params.items())):
        for key, value in items:
            if unusable(key) or (isinstance(value, str) and unusable(value)):
                raise _refused(f"{kind}.{key[:40]}", UNUSABLE)


class StrictInputRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            strict_request = StrictInputRequest(request.scope, request.receive)
            _check_address(strict_request)
            return await handler(strict_request)

        return strict


def _within(value: date) -> date:
    return within(value)


Day = Annotated[date, AfterValidator(_within)]
Instant = Annotated[datetime, AfterValidator(_within)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(_within)]

MAX_LOC_PART = 64


class ProblemOut(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class InvalidOut(BaseModel):
    """The request is not valid (422): where and what, never the input (``validation_answer``)."""

    detail: list[ProblemOut]
    message_zh: str | None = None
    message_en: str | None = None


def _loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part)[:MAX_LOC_PART] for part in loc or ()]


def _msg(item: dict[str, Any]) -> str:
    if item.get("type") == "json_invalid":  # the decoder's own words: what is wrong, never the input
        return f"JSON decode error: {(item.get('ctx') or {}).get('error', '')}".rstrip(": ")
    return str(item.get("msg", ""))


def validation_answer(error: RequestValidationError) -> JSONResponse:
    """422 with, per problem, where (``loc``), what (``msg``) and its ``type``: never the
    ``input`` or the ``ctx`` values, which echo what was sent."""
    detail = [{"loc": _loc(item.get("loc")), "msg": _msg(item), "type": item.get("type")} for item in error.errors()]
    where = "; ".join(".".join(str(p) for p in d["loc"]) or "request" for d in detail)
    return JSONResponse(status_code=422, content={
        "detail": detail,
        "message_zh": f"请求内容不符合要求（{where}），详见 detail",
        "message_en": f"the request is not valid ({where}); see detail",
    })
