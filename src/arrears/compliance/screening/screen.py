"""screen(text): what a collection message says that the compliance gate must know."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from .lexicon import matchers
from .negation import is_negated
from .normalize import normalize
from .signals import has_opt_out, mentions_debt, self_identifies
from .types import Finding, Screening


@lru_cache(maxsize=4096)
def screen(text: str) -> Screening:
    """Screen one message text. Pure and deterministic: same text, same screening (so the
    answers for recent texts are kept: a plan sends one template text to many customers)."""
    normalized = normalize(text)
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int]] = set()
    for matcher in matchers():
        for match in _matches(matcher.regexes, normalized.text):
            entry = matcher.entry_for(match)
            start, end = match.span()
            if entry.negatable and is_negated(normalized.text, start, end, entry.language):
                continue
            a, b = normalized.original_span(start, end)
            key = (entry.category, entry.term, a, b)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                Finding(entry.category, entry.severity, entry.term, text[a:b], entry.language)
            )
    return Screening(
        findings=tuple(findings),
        mentions_debt=mentions_debt(normalized.text),
        has_opt_out=has_opt_out(normalized.text),
        self_identifies=self_identifies(text, normalized.text),
        normalized=normalized.text,
    )


def _matches(regexes: Iterable[re.Pattern[str]], text: str) -> Iterator[re.Match[str]]:
    for regex in regexes:
        yield from regex.finditer(text)
