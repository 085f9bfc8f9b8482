"""Use case: answer pre-contact compliance checks (spec compliance-check-v1).

Turns one JSON text (a line of a .jsonl file, an HTTP body) or one decoded JSON value into an
answer or an error object, never a guess, and never an exception: the CLI and the API both
come through here, and the contract says every line is answered. The text is decoded
strictly (``arrears.strict_json``: UTF-8, no lone surrogates, NaN, giant numbers or runaway
nesting), the request parsed and validated (``parse_request``), then judged. (Storing the
decision in the attempt ledger and the audit table is done by the caller's unit of work.)
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from arrears import strict_json
from arrears.compliance.gate import Screener, ScreenerUnavailable, check
from arrears.compliance.packs import GateConfig
from arrears.compliance.request import RequestError, parse_request, request_id_of
from arrears.logs import scrub

Result = dict[str, Any]
logger = logging.getLogger("arrears.compliance")
UNEXPECTED = "this request could not be checked (an internal error, logged); it was not judged"


def is_error(result: Result) -> bool:
    return "error" in result


def decode(text: str | bytes, what: str = "line") -> Any:
    """One JSON text decoded strictly; ``RequestError`` (id null) when it is not valid JSON."""
    if not text.strip():
        raise RequestError(None, f"empty {what}: expected one JSON object")
    try:
        return strict_json.loads(text)
    except strict_json.StrictJsonError as error:
        raise RequestError(None, f"invalid JSON: {error}") from None


def _judged(raw: Any, screener: Screener | None, config: GateConfig | None) -> Result:
    try:
        request = parse_request(raw)
    except RequestError as error:
        return error.answer().model_dump()
    try:
        answer = check(request, screener=screener, config=config)
    except ScreenerUnavailable as error:
        return {"id": request.id, "error": str(error)}
    return answer.model_dump(mode="json", exclude_none=True)


def answer_value(
    raw: Any, *, screener: Screener | None = None, config: GateConfig | None = None
) -> Result:
    """The answer (or error) for one decoded request. Whatever goes wrong with one request
    answers that request with an error (the traceback logged with personal data masked)."""
    try:
        return _judged(raw, screener, config)
    except Exception:
        logger.error("compliance check failed: %s", scrub(traceback.format_exc()))
        return {"id": request_id_of(raw), "error": UNEXPECTED}


def answer_text(
    text: str | bytes, *, screener: Screener | None = None, config: GateConfig | None = None
) -> Result:
    """The answer (or error) for one JSON text, e.g. one line of a .jsonl file."""
    try:
        raw = decode(text)
    except RequestError as error:
        return error.answer().model_dump()
    return answer_value(raw, screener=screener, config=config)


def answer_batch(
    raw: Any, *, screener: Screener | None = None, config: GateConfig | None = None
) -> list[Result]:
    if not isinstance(raw, list):
        raise RequestError(None, f"a batch must be a JSON list, got {type(raw).__name__}")
    return [answer_value(item, screener=screener, config=config) for item in raw]


def to_json_line(result: Result) -> str:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
