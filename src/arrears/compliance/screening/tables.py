"""Packaged normalisation tables, read once through importlib.resources and cached."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

_DATA = "arrears.compliance.screening.data"


def read_data(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def traditional_to_simplified() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in read_data(_DATA, "t2s.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, _, simplified = line.partition("\t")
        table[traditional] = simplified
    return table


@lru_cache(maxsize=1)
def _homophone_file() -> dict[str, Any]:
    return tomllib.loads(read_data(_DATA, "homophones.toml"))


@lru_cache(maxsize=1)
def variant_chars() -> dict[str, str]:
    """Traditional and variant characters -> the simplified character the lexicons use."""
    table = dict(traditional_to_simplified())
    table.update(_homophone_file().get("chars", {}))
    return table


@lru_cache(maxsize=1)
def emoji_tokens() -> dict[str, str]:
    return dict(tomllib.loads(read_data(_DATA, "emoji.toml"))["tokens"])


Rules = tuple[tuple[re.Pattern[str], ...], dict[str, str]]


def _combined(rules: list[dict[str, Any]], *, pinyin: bool) -> Rules:
    from .fastregex import combine, starts_with_latin_letter
    from .normalize import collapse_pattern_letters

    words: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    replacements: dict[str, str] = {}
    for index, rule in enumerate(rules):
        name = f"r{index}"
        body = collapse_pattern_letters(rule["pattern"])
        if pinyin and starts_with_latin_letter(body):
            words.append((name, body))
        else:
            others.append((name, f"(?:{body})(?![a-z])" if pinyin else body))
        replacements[name] = rule["replace"]
    compiled = (combine(words, latin_words=True), combine(others, latin_words=False))
    return tuple(p for p in compiled if p is not None), replacements


@lru_cache(maxsize=1)
def pinyin_rules() -> Rules:
    return _combined(_homophone_file()["pinyin"], pinyin=True)


@lru_cache(maxsize=1)
def homophone_rules() -> Rules:
    return _combined(_homophone_file()["homophone"], pinyin=False)
