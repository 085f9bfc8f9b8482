"""JSON bodies decoded strictly on every route (``arrears.strict_json``), and validation
errors answered without the input.

A lone surrogate, ``NaN``, a 5,000-digit number or nesting that would exhaust the stack is
invalid JSON here, so it is a 422 at the edge instead of a 500 wherever the value would have
been encoded (the database, a log line, a page). Every router of the app is made with
``route_class=StrictJsonRoute`` (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from arrears import strict_json

MAX_LOC_PART = 64


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json.loads(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """An APIRoute whose request body is decoded with ``strict_json``: a refusal is a
    ``JSONDecodeError``, which FastAPI answers as a validation error (422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler


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
