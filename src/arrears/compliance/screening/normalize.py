"""Undo the disguises of abusive messages, keeping a map back to the original text.

Steps, in order (each one keeps, for every output character, the span of original text it
came from, so a finding can quote what the sender actually wrote):

1. per character: Unicode NFKC (full-width -> half-width), traditional -> simplified,
   lower case, zero-width characters and variation selectors dropped, threat emoji -> tokens;
2. separators between Chinese characters removed (坐-牢, 坐 牢, 坐*牢, 坐.牢), also between a
   Chinese character and a latin letter or digit (公 an); clause punctuation (，。！？) is
   kept, except between single characters spelled out one by one (坐，牢);
3. latin letters spelled out one by one joined (j a i l, p.o.l.i.c.e);
4. leetspeak inside words (3->e, 1->i, 0->o, @->a, $->s, 4->a, 5->s, 7->t), only next to a
   letter, so amounts such as 3000 or $500 are left alone;
5. runs of a repeated latin letter collapsed to one (stoooop -> stop, kill -> kil);
6. pinyin -> characters, then homophones -> the canonical word (see data/homophones.toml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .tables import Rules, emoji_tokens, homophone_rules, pinyin_rules, variant_chars

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CLAUSE_MARKS = ",;!?:。、\n"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u02bc": "'"}
# anything that is not Chinese, a latin letter or digit, clause punctuation or a token bracket
_SEPARATORS = rf"[^{CJK}a-z0-9{re.escape(CLAUSE_MARKS)}⟦⟧]+"
_HAN = re.compile(f"[{CJK}]")
_LATIN = re.compile("[a-z]")
_BETWEEN_CJK = re.compile(
    rf"(?<=[{CJK}]){_SEPARATORS}(?=[{CJK}a-z0-9])|(?<=[a-z0-9]){_SEPARATORS}(?=[{CJK}])"
)
_SPELLED_CJK = re.compile(rf"(?<![{CJK}])[{CJK}](?:[\s,;!?:。、]+[{CJK}])+(?![{CJK}])")
_SPELLED_LATIN = re.compile(r"(?<![a-z0-9])[a-z](?:[\s.\-_*·|/\\~+]+[a-z](?![a-z0-9])){2,}")
_WORDISH = re.compile(
    r"[a-z0-9@$!|]*(?:[a-z][0-9@$!|]|[0-9@$!|][a-z])[a-z0-9@$!|]*"
)
_LEET_INSIDE = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                           "@": "a", "$": "s"})
_LEET_INSIDE_MAP = str.maketrans({"!": "i", "|": "i"})
_REPEATS = re.compile(r"([a-z])\1+")
_SPACES = re.compile(r"[ \t\r\f\v]{2,}")
_NON_SPACE_MARKS = re.compile(r"[\s,;!?:。、]+")
_SEPARATOR_CHARS = re.compile(r"[\s.\-_*·|/\\~+]+")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text plus, for each of its characters, the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.text or end <= start:
            return (0, 0)
        return (self.starts[start], self.ends[end - 1])


# A web address is read as a blank: its random path (a link's token) is no word of the message,
# and letters in it (``/p/x-sB4_k``) must not read as an insult or a threat.
_URL = re.compile(r"(?:https?://|www\.)[^\s，。！？、]+")


def normalize(text: str) -> Normalized:
    chars, starts, ends = _per_character(text)
    joined = "".join(chars)
    for url in _URL.finditer(joined):
        chars[url.start():url.end()] = " " * (url.end() - url.start())
    state = ("".join(chars), starts, ends)
    for step in _STEPS:
        state = step(state)
    out, starts, ends = state
    return Normalized(out, tuple(starts), tuple(ends))


def normalize_term(term: str) -> str:
    """The normalized form of a lexicon literal, so terms and texts meet in the same form."""
    return normalize(term).text.strip()


_State = tuple[str, list[int], list[int]]


def _per_character(text: str) -> tuple[list[str], list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    table = _char_table()
    for index, char in enumerate(text):
        mapped = table.get(char)
        if mapped is None:
            mapped = _map_char(char)
        for piece in mapped:
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    return chars, starts, ends


@lru_cache(maxsize=1)
def _char_table() -> dict[str, str]:
    """Precomputed mapping for ASCII and the characters the tables know about."""
    table = {chr(code): _map_char(chr(code)) for code in range(128)}
    for char in (*variant_chars(), *emoji_tokens()):
        table[char] = _map_char(char)
    return table


@lru_cache(maxsize=8192)
def _map_char(char: str) -> str:
    if char in _ZERO_WIDTH or "\ufe00" <= char <= "\ufe0f":
        return ""
    token = emoji_tokens().get(char)
    if token is not None:
        return token
    if char in _QUOTES:
        return _QUOTES[char]
    out = []
    for piece in unicodedata.normalize("NFKC", char):
        simple = variant_chars().get(piece, piece)
        if simple not in _ZERO_WIDTH:
            out.append(simple.lower())
    return "".join(out)


def _replace(
    state: _State, pattern: re.Pattern[str], make: Callable[[re.Match[str]], str]
) -> _State:
    text, starts, ends = state
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        a, b = match.span()
        replacement = make(match)
        if replacement == match.group(0):
            continue
        pieces.append(text[last:a])
        new_starts.extend(starts[last:a])
        new_ends.extend(ends[last:a])
        if replacement:
            span_start = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
            span_end = ends[b - 1] if b > a else span_start
            pieces.append(replacement)
            new_starts.extend([span_start] * len(replacement))
            new_ends.extend([span_end] * len(replacement))
        last = b
    if last == 0 and not pieces:
        return state
    pieces.append(text[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return "".join(pieces), new_starts, new_ends


def _drop_separators(state: _State) -> _State:
    if not _HAN.search(state[0]):
        return state
    return _replace(state, _BETWEEN_CJK, lambda _m: "")


def _join_spelled_cjk(state: _State) -> _State:
    if not _HAN.search(state[0]):
        return state
    return _replace(state, _SPELLED_CJK, lambda m: _NON_SPACE_MARKS.sub("", m.group(0)))


def _join_spelled_latin(state: _State) -> _State:
    return _replace(state, _SPELLED_LATIN, _joined_letters)


def _joined_letters(match: re.Match[str]) -> str:
    """j a i l -> jail; a leading article stays a word: "a l o s e r" -> "a loser"."""
    spelled = match.group(0)
    joined = _SEPARATOR_CHARS.sub("", spelled)
    if len(joined) >= 4 and spelled.startswith("a "):
        return "a " + joined[1:]
    return joined


def _undo_leetspeak(state: _State) -> _State:
    """Replace look-alike digits and symbols in words that are mostly letters (j@il, sh1t).

    A token with as many other characters as letters (US$500, 10am, a1234) is left alone.
    The replacement keeps the length, so the map to the original is unchanged.
    """
    text, starts, ends = state
    return _WORDISH.sub(_unleet_word, text), starts, ends


def _unleet_word(match: re.Match[str]) -> str:
    word = _LEET_INSIDE.sub(lambda m: m.group(0).translate(_LEET_INSIDE_MAP), match.group(0))
    letters = sum(char.isalpha() for char in word)
    if letters * 2 >= len(word):
        return word.translate(_LEET_MAP)
    return word


def _collapse_repeats(state: _State) -> _State:
    return _replace(state, _REPEATS, lambda m: m.group(1))


def _rewrite_with(guard: re.Pattern[str], rules: Callable[[], Rules]) -> Callable[[_State], _State]:
    """A step that rewrites by a lexicon's named-group patterns when the text has a character
    ``guard`` finds (latin letters for pinyin, Han characters for homophones)."""

    def step(state: _State) -> _State:
        if not guard.search(state[0]):
            return state
        patterns, replacements = rules()
        for pattern in patterns:
            state = _replace(state, pattern, lambda m: replacements[m.lastgroup or ""])
        return state

    return step


_pinyin = _rewrite_with(_LATIN, pinyin_rules)
_homophones = _rewrite_with(_HAN, homophone_rules)


def _squeeze_spaces(state: _State) -> _State:
    if not _SPACES.search(state[0]):
        return state
    return _replace(state, _SPACES, lambda _m: " ")


_STEPS: tuple[Callable[[_State], _State], ...] = (
    _drop_separators,
    _join_spelled_cjk,
    _join_spelled_latin,
    _undo_leetspeak,
    _collapse_repeats,
    _pinyin,
    _drop_separators,
    _homophones,
    _squeeze_spaces,
)


def collapse_pattern_letters(pattern: str) -> str:
    """Write a lexicon regex the way normalized text looks: doubled latin letters single.

    A letter right after a backslash is an escape (\\b, \\s) and is left alone.
    """
    return re.sub(r"(?<!\\)([a-z])\1+", r"\1", pattern)
