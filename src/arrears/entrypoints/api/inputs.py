"""How the API and the pages read their inputs: every text strictly (``arrears.strict_json``), the date
and time types every request model and query uses (within ``domain.dates``' range). Validation errors
are answered by ``errors``, without the input.

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
from fastapi.routing import APIRoute
from pydantic import AfterValidator, AwareDatetime
from starlette.datastructures import FormData

from arrears import strict_json
from arrears.domain.dates import within
from arrears.strict_json import UNUSABLE, unusable


def _refused(where: str, message: str) -> HTTPException:
    """422 naming where: an HTTPException, since FastAPI turns any other error raised while it
    reads a form into a 400 ("There was an error parsing the body")."""
    return HTTPException(422, detail={"message_zh": f"输入不是有效文本（{where}）：{message}",
                                      "message_en": f"not valid text ({where}): {message}", "field": where})


class StrictInputRequest(Request):
    async def json(self) -> Any:
        """A refusal is ``strict_json.StrictJsonError``, a ``JSONDecodeError``: FastAPI answers it as a
        validation error (422, ``errors``)."""
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

