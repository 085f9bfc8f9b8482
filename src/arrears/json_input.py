"""Text and JSON from outside, checked strictly: what Python lets through but nothing downstream can use
is refused here, once, with the place it was found.

Refused in any text (``unusable``): a lone surrogate (``"\\ud800"``: a string that can be neither
stored nor written back as UTF-8) and the NUL character (PostgreSQL stores no NUL in text).
Refused in JSON (``strict_loads``): text that is not JSON or not UTF-8, such a string anywhere in it,
``NaN``, ``Infinity``, numbers too large for a float (``1e999``) or an integer of thousands of digits,
nesting deeper than the decoder can follow. Used by every request of the API and the pages (through
``entrypoints.api.inputs.StrictInputRoute``), by the compliance check's own decoder, and by
``arrears compliance check``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_BAD_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
_BAD = re.compile("[\x00\ud800-\udfff]")


class JSONInputError(ValueError):
    """The text is not usable JSON; the message says what and where."""


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONInputError(f"the number {text[:20]} is too large")
    return value


def _constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not a JSON number")


def _shown(key: str) -> str:
    """A key as it can be written back: surrogates escaped, at most 40 characters."""
    return key[:40].encode("utf-8", "backslashreplace").decode("utf-8")


def _unusable_at(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _BAD.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        here = f"{path}.{_shown(key)}" if isinstance(key, str) else f"{path}[{key}]"
        if isinstance(key, str) and _BAD.search(key):
            return here
        found = _unusable_at(item, here)
        if found:
            return found
    return None


def strict_loads(data: str | bytes) -> Any:
    """The decoded value, or JSONInputError."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_constant)
    except JSONInputError:
        raise
    except RecursionError:
        raise JSONInputError("nested too deeply") from None
    except ValueError as error:  # not JSON, not UTF-8, an integer of thousands of digits
        raise JSONInputError(str(error)) from None
    if _BAD_ESCAPE.search(raw):  # a pair is decoded to one character: any surrogate left is alone
        try:
            where = _unusable_at(value, "$")
        except RecursionError:
            raise JSONInputError("nested too deeply") from None
        if where:
            raise JSONInputError(f"{where}: {UNUSABLE}")
    return value


UNUSABLE = "a NUL character or a lone surrogate (\\ud800-\\udfff) is not text"


def unusable(text: str) -> bool:
    """True when the text holds a NUL or a lone surrogate."""
    return _BAD.search(text) is not None
