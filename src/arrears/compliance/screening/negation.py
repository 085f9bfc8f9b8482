"""Does a negation cue cancel the term it stands before? ("您不会被起诉", "we will not sue")

The rule (see docs/screening.md):
* a cue (不会, 不将, 绝不, 无需, 不得, 并非...; not, never, won't, don't...) stands within a short
  window before the term (10 characters in Chinese, 40 in English), in the same clause: no
  clause mark (，。！？；： , ; ! ? : newline) and no 但/但是/可是/不过/but/however in between;
* the cue is not conditional: no 如果/若/要是/假如/一旦/if/unless/when in the clause before it
  ("如果您不会还款..." / "if you do not pay...");
* nothing between cue and term turns it around: no 会/将/就/则/要/必/否则/不然 or
  will/shall/'ll/going to/must/then/or/otherwise ("don't pay and you will be sued");
* the clause is not a question or a taunt: it does not end with ? and has no 吗/难道/以为/别想.
Only categories listed in lexicon.NEGATABLE are ever cancelled; threats, insults and
impersonation stand whatever precedes them.
"""

from __future__ import annotations

import re

_CLAUSE_BREAK = re.compile(
    r"[,;!?:。、\n]|但是|但|可是|不过|然而|(?<![a-z])(?:but|however|yet)(?![a-z])"
)
_ZH_CUE = re.compile(
    r"不会|不将|绝不|决不|并不|从不|不再|不用|无需|无须|不必|不涉及|不存在|不构成|并非|不是"
    r"|没有|不得|严禁|禁止|不可以|不能|不予|免于|免除|不收取|不需要|不要求|不做|不采取|不进行"
)
_EN_CUE = re.compile(
    r"(?<![a-z])(?:not|never|no|won't|wont|don't|dont|doesn't|doesnt|isn't|aren't|canot|"
    r"can't|cant|without|nobody|no one|neither|nor|shouldn't|wouldn't|mustn't)(?![a-z])"
)
_ZH_CONDITION = re.compile(r"如果|若|要是|假如|倘若|一旦|万一|只要")
_EN_CONDITION = re.compile(r"(?<![a-z])(?:if|unless|until|when|whenever|should you)(?![a-z])")
_ZH_TURN = re.compile(r"会|将|就|则|要|必|否则|不然|肯定")
_EN_TURN = re.compile(
    r"(?<![a-z])(?:wil|shal|'l|going to|gona|must|then|or|otherwise|and)(?![a-z])"
)
_ZH_TAUNT = re.compile(r"吗|难道|以为|别想|休想|怎么可能")
_EN_TAUNT = re.compile(r"(?<![a-z])(?:think|suppose|imagine|dream)(?![a-z])")
_WINDOW = {"zh": 10, "en": 40}


def is_negated(text: str, start: int, end: int, language: str) -> bool:
    before = _clause_before(text, start)
    after = _clause_after(text, end)
    if after.rstrip().endswith("?") or _ZH_TAUNT.search(before + text[start:end] + after):
        return False
    if language == "en" and _EN_TAUNT.search(before):
        return False
    # the cue starts before the term and may run into it ("不收取" before "收取...费")
    window_start = max(0, len(before) - _WINDOW.get(language, 10))
    cue = _last_cue(before + text[start:end], window_start, len(before))
    if cue is None:
        return False
    head = before[: cue.start()]
    between = before[cue.end():]
    condition = _ZH_CONDITION.search(head) or _EN_CONDITION.search(head)
    turned = _ZH_TURN.search(between) or _EN_TURN.search(between)
    return not condition and not turned


def _last_cue(region: str, first: int, term_start: int) -> re.Match[str] | None:
    found = None
    for pattern in (_ZH_CUE, _EN_CUE):
        for match in pattern.finditer(region, first):
            if match.start() < term_start and (found is None or match.start() > found.start()):
                found = match
    return found


def _clause_before(text: str, start: int) -> str:
    clause_start = 0
    for match in _CLAUSE_BREAK.finditer(text, 0, start):
        clause_start = match.end()
    return text[clause_start:start]


def _clause_after(text: str, end: int) -> str:
    match = _CLAUSE_BREAK.search(text, end)
    if match is None:
        return text[end:]
    return text[end: match.start()] + match.group(0)
