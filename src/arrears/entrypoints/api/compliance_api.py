"""POST /v1/compliance/check and /v1/compliance/check/batch (spec compliance-check-v1).

Every decision is appended to the audit table (``compliance_decisions``) before it is
returned; invalid requests get 422 with ``{id, error}`` and are not decisions.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from arrears.compliance.request import RequestError
from arrears.entrypoints.api.deps import EngineDep
from arrears.entrypoints.api.strict import StrictJsonRoute
from arrears.services.compliance_audit import record_decisions
from arrears.services.compliance_check import answer_value, decode, is_error

router = APIRouter(prefix="/v1/compliance", tags=["compliance"], route_class=StrictJsonRoute)


def _json(content: object, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content=content, status_code=status_code)


def _decode(body: bytes) -> tuple[Any, dict[str, Any] | None]:
    try:
        return decode(body, "body"), None
    except RequestError as error:
        return None, error.answer().model_dump()


@router.post("/check")
async def check_one(request: Request, engine: EngineDep) -> JSONResponse:
    """One request in, one answer out; an invalid request gets 422 with {id, error}."""
    raw, problem = _decode(await request.body())
    if problem is not None:
        return _json(problem, 422)
    result = answer_value(raw)
    if is_error(result):
        return _json(result, 422)
    await run_in_threadpool(record_decisions, engine, [(raw, result)])
    return _json(result)


@router.post("/check/batch")
async def check_batch(request: Request, engine: EngineDep) -> JSONResponse:
    """A JSON list of requests in, the list of answers (or per-item errors) out, in order."""
    raw, problem = _decode(await request.body())
    if problem is not None:
        return _json(problem, 422)
    if not isinstance(raw, list):
        error = RequestError(None, f"a batch must be a JSON list, got {type(raw).__name__}")
        return _json(error.answer().model_dump(), 422)
    results = [answer_value(item) for item in raw]
    await run_in_threadpool(record_decisions, engine, list(zip(raw, results, strict=True)))
    return _json(results)
