"""Combine many patterns into one fast regex.

Python's re tries every alternative at every position. Two cheap guards make a combined
lexicon regex fast: a look-ahead on the set of characters any alternative can start with
(computed from the parsed patterns), and, for latin words, a word-start look-behind.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

Range = tuple[int, int]
_CATEGORIES = {sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w"}


class _Unknown(Exception):
    """The pattern can start with any character, or match the empty string."""


def first_class(pattern: str) -> str | None:
    """A character class for every first character of a match, or None if unbounded."""
    try:
        parts, nullable = _sequence(list(sre_parse.parse(pattern)))
    except _Unknown:
        return None
    if nullable or not parts:
        return None
    return "[" + "".join(sorted(parts)) + "]"


def starts_with_latin_letter(pattern: str) -> bool:
    klass = first_class(pattern)
    if klass is None:
        return False
    return all((c.isascii() and c.isalpha()) or c == "-" for c in klass[1:-1])


def _sequence(items: list[tuple[Any, Any]]) -> tuple[set[str], bool]:
    parts: set[str] = set()
    for op, av in items:
        item_parts, nullable = _item(op, av)
        parts |= item_parts
        if not nullable:
            return parts, False
    return parts, True


def _item(op: Any, av: Any) -> tuple[set[str], bool]:
    if op is sre.LITERAL:
        return {_escape(av)}, False
    if op is sre.IN:
        return _charset(av), False
    if op is sre.BRANCH:
        parts: set[str] = set()
        nullable = False
        for alternative in av[1]:
            alt_parts, alt_nullable = _sequence(list(alternative))
            parts |= alt_parts
            nullable = nullable or alt_nullable
        return parts, nullable
    if op is sre.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        sub_parts, sub_nullable = _sequence(list(sub))
        return sub_parts, low == 0 or sub_nullable
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return set(), True
    raise _Unknown


def _charset(items: Any) -> set[str]:
    parts: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            parts.add(_escape(av))
        elif op is sre.RANGE:
            parts.add(_escape(av[0]) + "-" + _escape(av[1]))
        elif op is sre.CATEGORY and av in _CATEGORIES:
            parts.add(_CATEGORIES[av])
        else:
            raise _Unknown
    return parts


def _escape(code: int) -> str:
    char = chr(code)
    return "\\" + char if char in "\\]-^[" else char


def combine(groups: list[tuple[str, str]], *, latin_words: bool) -> re.Pattern[str] | None:
    """One regex of named alternatives, guarded by their first-character class.

    With `latin_words`, every alternative must start a latin word and end one.
    """
    if not groups:
        return None
    body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in groups)
    classes = [first_class(pattern) for _name, pattern in groups]
    guard = ""
    if all(klass is not None for klass in classes):
        guard = "(?=[" + "".join(sorted({k[1:-1] for k in classes if k})) + "])"
    if latin_words:
        return re.compile(rf"(?<![a-z]){guard}(?:{body})(?![a-z])")
    return re.compile(f"{guard}(?:{body})")
