"""POST /v1/compliance/check and /v1/compliance/check/batch (spec compliance-check-v1)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from arrears.compliance.request import RequestError
from arrears.services.compliance_check import answer_batch, answer_text, is_error

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


def _json(content: object, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content=content, status_code=status_code)


@router.post("/check")
async def check_one(request: Request) -> JSONResponse:
    """One request in, one answer out; an invalid request gets 422 with {id, error}."""
    result = answer_text(await request.body())
    return _json(result, 422 if is_error(result) else 200)


@router.post("/check/batch")
async def check_batch(request: Request) -> JSONResponse:
    """A JSON list of requests in, the list of answers (or per-item errors) out, in order."""
    try:
        raw = json.loads(await request.body())
        return _json(answer_batch(raw))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _json({"id": None, "error": f"invalid JSON: {error}"}, 422)
    except RequestError as error:
        return _json(error.answer().model_dump(), 422)
