"""Use case: answer pre-contact compliance checks (spec compliance-check-v1).

Turns one decoded JSON value or one JSON Lines line into an answer or an error object,
never a guess. The CLI and the API both come through here. (Storing the decision in the
attempt ledger and the audit table is done by the caller's unit of work, later.)
"""

from __future__ import annotations

import json
from typing import Any

from arrears.compliance.gate import Screener, ScreenerUnavailable, check
from arrears.compliance.packs import GateConfig
from arrears.compliance.request import RequestError, parse_request
from arrears.json_input import JSONInputError, strict_loads

Result = dict[str, Any]


def is_error(result: Result) -> bool:
    return "error" in result


def answer_value(
    raw: Any, *, screener: Screener | None = None, config: GateConfig | None = None
) -> Result:
    """The answer (or error) for one decoded request."""
    try:
        request = parse_request(raw)
    except RequestError as error:
        return error.answer().model_dump()
    try:
        answer = check(request, screener=screener, config=config)
    except ScreenerUnavailable as error:
        return {"id": request.id, "error": str(error)}
    return answer.model_dump(mode="json", exclude_none=True)


def answer_text(
    text: str | bytes, *, screener: Screener | None = None, config: GateConfig | None = None
) -> Result:
    """The answer (or error) for one JSON text, e.g. one line of a .jsonl file."""
    if isinstance(text, str) and not text.strip():
        return {"id": None, "error": "empty line: expected one JSON object"}
    try:
        raw = strict_loads(text)
    except JSONInputError as error:
        return {"id": None, "error": f"invalid JSON: {error}"}
    return answer_value(raw, screener=screener, config=config)


def answer_batch(
    raw: Any, *, screener: Screener | None = None, config: GateConfig | None = None
) -> list[Result]:
    if not isinstance(raw, list):
        raise RequestError(None, f"a batch must be a JSON list, got {type(raw).__name__}")
    return [answer_value(item, screener=screener, config=config) for item in raw]


def to_json_line(result: Result) -> str:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
