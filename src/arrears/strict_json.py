"""JSON decoded strictly, the one way every JSON body and JSON Lines line is read.

Python's ``json`` accepts more than valid data: ``\\ud800`` escapes that decode to lone
surrogates (which no database, log or page can encode: they were 500s), ``NaN`` and
``Infinity``, numbers of any size (a 5,000-digit integer raises ``ValueError`` on the
conversion, not a decode error), nesting deep enough to raise ``RecursionError``, and
``\\u0000`` (which PostgreSQL cannot store in text). Here each of those is a
``StrictJsonError`` (a ``json.JSONDecodeError``) that says what is wrong and where, without
echoing the input. Bytes must be UTF-8 (a leading byte-order mark is allowed). Standard
library only.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

BOM = b"\xef\xbb\xbf"
MAX_NUMBER_DIGITS = 100
# A \uD800-\uDFFF escape (a surrogate pair is fine, a lone half is not) or a \u0000 escape.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")


class StrictJsonError(json.JSONDecodeError):
    """Text that is not acceptable JSON; ``msg`` names the problem (and where) without the input."""

    def __init__(self, msg: str, doc: str = "", pos: int | None = None) -> None:
        super().__init__(msg, doc, pos or 0)
        self.located = pos is not None

    def __str__(self) -> str:
        return super().__str__() if self.located else self.msg


class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows")


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > MAX_NUMBER_DIGITS * 2:
        raise _Refused("a number is too large to be represented")
    return value


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "holds the character U+0000"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape): not valid Unicode"
    return None


def _find_bad_text(value: Any, where: str) -> str | None:
    """``where: problem`` for the first string (or key) that no database or page could hold."""
    if isinstance(value, str):
        problem = _bad_text(value)
        return f"{where or 'the value'}: a string {problem}" if problem else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_bad_text(item, f"{where}[{index}]")
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if _bad_text(key):
                return f"{where or 'the object'}: a key {_bad_text(key)}"
            name = key[:40]
            found = _find_bad_text(item, f"{where}.{name}" if where else name)
            if found:
                return found
    return None


def _text_of(data: str | bytes | bytearray) -> str:
    if isinstance(data, str):
        return data
    raw = bytes(data)
    raw = raw[len(BOM):] if raw.startswith(BOM) else raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StrictJsonError(f"not valid UTF-8 (byte {error.start})") from None


def loads(data: str | bytes | bytearray) -> Any:
    """The JSON value of ``data``; raises ``StrictJsonError`` for anything but valid data."""
    text = _text_of(data)
    try:
        value = json.loads(text, parse_constant=_constant, parse_int=_integer, parse_float=_real)
    except json.JSONDecodeError as error:
        raise StrictJsonError(error.msg, error.doc, error.pos) from None
    except _Refused as error:
        raise StrictJsonError(str(error)) from None
    except RecursionError:
        raise StrictJsonError("nested too deeply") from None
    if _suspect(data, text):
        problem = _find_bad_text(value, "")
        if problem:
            raise StrictJsonError(problem)
    return value


def _suspect(data: str | bytes | bytearray, text: str) -> bool:
    """Whether a string may hold a lone surrogate or U+0000 (then every string is looked at)."""
    if _SUSPECT_ESCAPE.search(text):
        return True
    if isinstance(data, str):  # text given as str may carry raw lone surrogates
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


UNUSABLE = "a NUL character or a lone surrogate (\\ud800-\\udfff) is not text"
_UNUSABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def unusable(text: str) -> bool:
    """True when the text (a form, query or path value) holds a NUL or a lone surrogate."""
    return _UNUSABLE_CHARACTER.search(text) is not None
