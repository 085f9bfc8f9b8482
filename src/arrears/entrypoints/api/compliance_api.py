"""POST /v1/compliance/check and /v1/compliance/check/batch (spec compliance-check-v1).

Every decision is appended to the audit table (``compliance_decisions``), with the caller, before it
is returned; invalid requests get 422 with ``{id, error}`` and are not decisions. The caller is a
signed-in user with the compliance-check permission or a system with a ``compliance:check`` service
token (401 otherwise, before the body is read); a batch holds at most ``MAX_BATCH`` requests.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from arrears.adapters.crypto import FieldCipher
from arrears.compliance.request import RequestError
from arrears.domain.access import Permission, ServiceScope
from arrears.entrypoints.api.deps import EngineDep
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import Caller, user_or_service
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.services.compliance_audit import record_decisions
from arrears.services.compliance_check import answer_value, decode, is_error

router = APIRouter(prefix="/v1/compliance", tags=["compliance"], route_class=StrictInputRoute)
CallerDep = Annotated[Caller, Depends(user_or_service(Permission.CHECK_COMPLIANCE, ServiceScope.COMPLIANCE_CHECK))]
MAX_BATCH = 1_000
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "no valid API or service token"},
        403: {"description": "a user without the check_compliance permission, or a token without the scope"}}


def _json(content: object, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content=content, status_code=status_code)


def _decode(body: bytes) -> tuple[Any, dict[str, Any] | None]:
    try:
        return decode(body, "body"), None
    except RequestError as error:
        return None, error.answer().model_dump()


def _cipher(request: Request) -> FieldCipher | None:
    """The workbench's cipher: each decision keeps the request it judged, encrypted, for replay."""
    return workbench_of(request.app).cipher


@router.post("/check", responses=AUTH)
async def check_one(request: Request, engine: EngineDep, caller: CallerDep) -> JSONResponse:
    """One request in, one answer out; an invalid request gets 422 with {id, error}."""
    raw, problem = _decode(await request.body())
    if problem is not None:
        return _json(problem, 422)
    result = answer_value(raw)
    if is_error(result):
        return _json(result, 422)
    await run_in_threadpool(record_decisions, engine, [(raw, result)], caller=caller.label,
                            cipher=_cipher(request))
    return _json(result)


@router.post("/check/batch", responses={**AUTH, 413: {"description": f"more than {MAX_BATCH} requests"}})
async def check_batch(request: Request, engine: EngineDep, caller: CallerDep) -> JSONResponse:
    """A JSON list of at most 1,000 requests in, the list of answers (or per-item errors) out, in order."""
    raw, problem = _decode(await request.body())
    if problem is not None:
        return _json(problem, 422)
    if not isinstance(raw, list):
        error = RequestError(None, f"a batch must be a JSON list, got {type(raw).__name__}")
        return _json(error.answer().model_dump(), 422)
    if len(raw) > MAX_BATCH:
        return _json({"id": None, "error": f"a batch holds at most {MAX_BATCH} requests, got {len(raw)}; "
                                           "split it into several batches"}, 413)
    results = [answer_value(item) for item in raw]
    await run_in_threadpool(record_decisions, engine, list(zip(raw, results, strict=True)), caller=caller.label,
                            cipher=_cipher(request))
    return _json(results)
