"""Lexicons: packaged TOML data files, compiled once into one regex per category.

A lexicon file holds one category in one language:

    category = "threat"          # a Category value
    language = "zh"              # "zh" or "en"
    severity = "high"            # default for its entries
    negatable = false            # optional; default from NEGATABLE below
    source = "..."               # where the entries come from (and their licence)
    rules = ["CN-TXT-01"]        # the rule ids it serves
    terms = ["弄死", "后果自负"]   # literal words, normalized like the text before matching
    [[patterns]]                 # regexes over normalized text (lower case, simplified,
    name = "小心你的家人"         #  single latin letters: "kil" matches "kill")
    regex = "小心(你|您)的?家人"
    severity = "high"            # optional override

English literals and patterns only match whole words (no latin letter just before or after)
unless a pattern says `bare = true`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .fastregex import combine
from .normalize import collapse_pattern_letters, normalize_term
from .types import Category, Severity

LEXICON_PACKAGE = "arrears.compliance.screening.lexicons"

# Categories whose findings a negation cue may cancel ("我们不会上门", "we will not sue").
# Threats and insults are never cancelled: "不是威胁你，但..." is still a threat.
NEGATABLE = frozenset(
    {
        Category.VISIT,
        Category.LITIGATION,
        Category.REMEDY,
        Category.CRIMINAL,
        Category.DISCLOSURE,
        Category.FAMILY,
        Category.FUNDS,
        Category.PRESSURE,
    }
)


@dataclass(frozen=True, slots=True)
class Entry:
    category: Category
    severity: Severity
    term: str
    language: str
    negatable: bool


@dataclass(frozen=True, slots=True)
class CategoryMatcher:
    category: Category
    regexes: tuple[re.Pattern[str], ...]  # latin-word entries, then the others
    patterns: dict[str, Entry]  # group name -> entry
    literals: dict[str, dict[str, Entry]]  # group name -> normalized literal -> entry

    def entry_for(self, match: re.Match[str]) -> Entry:
        group = match.lastgroup or ""
        if group in self.patterns:
            return self.patterns[group]
        return self.literals[group][match.group(group)]


def lexicon_files() -> list[str]:
    root = resources.files(LEXICON_PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".toml"))


def load_lexicon(name: str) -> dict[str, Any]:
    text = resources.files(LEXICON_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for key in ("category", "language", "severity", "source"):
        if key not in data:
            raise ValueError(f"lexicon {name}: missing '{key}'")
    return data


@lru_cache(maxsize=1)
def matchers() -> tuple[CategoryMatcher, ...]:
    by_category: dict[Category, list[tuple[str, dict[str, Any]]]] = {}
    for name in lexicon_files():
        data = load_lexicon(name)
        by_category.setdefault(Category(data["category"]), []).append((name, data))
    return tuple(_compile(category, files) for category, files in by_category.items())


def _compile(category: Category, files: list[tuple[str, dict[str, Any]]]) -> CategoryMatcher:
    words: list[tuple[str, str]] = []  # whole latin words only
    free: list[tuple[str, str]] = []
    patterns: dict[str, Entry] = {}
    literals: dict[str, dict[str, Entry]] = {}
    for file_index, (name, data) in enumerate(files):
        language = data["language"]
        severity = Severity(data["severity"])
        negatable = bool(data.get("negatable", category in NEGATABLE))
        for index, item in enumerate(data.get("patterns", [])):
            group = f"p{file_index}_{index}"
            body = collapse_pattern_letters(item["regex"])
            try:
                re.compile(body)
            except re.error as error:
                raise ValueError(f"lexicon {name}: pattern {item['name']!r}: {error}") from error
            bounded = language == "en" and not item.get("bare", False)
            (words if bounded else free).append((group, body))
            patterns[group] = Entry(
                category,
                Severity(item.get("severity", severity)),
                item["name"],
                language,
                bool(item.get("negatable", negatable)),
            )
        found: dict[str, Entry] = {}
        for term in data.get("terms", []):
            normalized = normalize_term(term)
            if normalized:
                found.setdefault(normalized, Entry(category, severity, term, language, negatable))
        if found:
            group = f"l{file_index}"
            (words if language == "en" else free).append((group, trie_regex(list(found))))
            literals[group] = found
    regexes = (combine(words, latin_words=True), combine(free, latin_words=False))
    return CategoryMatcher(
        category, tuple(r for r in regexes if r is not None), patterns, literals
    )


def trie_regex(words: list[str]) -> str:
    """One regex matching any of the words, longest first, shaped as a prefix tree (fast)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True
    return _node_regex(trie)


def _node_regex(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _node_regex(child) for char, child in sorted(node.items())
                if char != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return f"(?:{body})?"
    return body
