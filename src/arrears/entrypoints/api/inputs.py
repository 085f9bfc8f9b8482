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
from typing import Annotated, Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, AwareDatetime
from starlette.datastructures import FormData

from arrears import strict_json
from arrears.domain.dates import date_in_range, out_of_range
from arrears.strict_json import UNUSABLE, unusable


def _refused(where: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": tuple(where.split(".")), "msg": message}])


class StrictInputRequest(Request):
    async def json(self) -> Any:
        """A refusal is ``strict_json.StrictJsonError``, a ``JSONDecodeError``: FastAPI answers it as a
        validation error (422, ``errors``)."""
        if not hasattr(self, "_json"):
            self._json = strict_json.loads(await self.body())
        return self._json

    async def form(self, **limits: Any) -> FormData:  # type: ignore[override]
        found = await super().form(**limits)
        for key, value in found.multi_items():
            if unusable(key) or (isinstance(value, str) and unusable(value)):
                raise _refused(f"body.{key.encode('utf-8', 'backslashreplace').decode()[:40]}", UNUSABLE)
        return found


def _check_address(request: Request) -> None:
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


T = TypeVar("T", date, datetime)


def _within(value: T) -> T:
    if not date_in_range(value):
        raise ValueError(out_of_range("日期", "the date")[1])
    return value


Day = Annotated[date, AfterValidator(_within)]
Instant = Annotated[datetime, AfterValidator(_within)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(_within)]

