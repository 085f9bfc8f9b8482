"""Plain-wording tests the US rules make on a screened text (English, as normalized by the
screener: lower case, doubled latin letters single - the patterns are written the same way).

Each test answers one question a rule's text asks: does an opt-out ask for a fee or for more
than the opt-out preference (1006.6(e))? Is this one of the three notices 1006.6(c)(2) permits
after a cease request? Does a message state it is from a debt collector (1006.18(e))? Does a
location message name the caller's employer or say it is about location (1006.10(b))? Does it
demand payment? They read `Screening.normalized` only; no rule reads the original text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from arrears.compliance.screening.normalize import collapse_pattern_letters


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(collapse_pattern_letters(pattern))


# 1006.6(e): the opt-out may not cost a fee nor ask for anything beyond the preference and the address
_OPT_OUT_FEE = _compile(
    r"(?:fee|charge|charged|cost|costs|\$\s?\d|payment of|pay (?:a|the))[^.!?]{0,60}(?:opt[ -]?out|stop|unsubscribe)"
    r"|(?:opt[ -]?out|stop|unsubscribe)[^.!?]{0,80}(?:fee|charge|charged|cost|\$\s?\d|standard rates? do not apply)"
)
_OPT_OUT_INFO = _compile(
    r"(?:opt[ -]?out|stop|unsubscribe)[^.!?]{0,120}(?:social security|ssn|date of birth|birth ?date|dob"
    r"|account number|full name|your name|last (?:four|4)|home address|mailing address|pin|password"
    r"|reference number|case number)"
)

# 1006.6(c)(2): the three notices still permitted after a cease or refuse-to-pay notice
_TERMINATION = _compile(
    r"(?:terminat|ceas|stop|end|discontinu|clos)(?:e|es|ed|ing)? (?:all |our |any |further |of )*"
    r"(?:collection|collection efforts|efforts|attempts|activity|contact)"
    r"|(?:efforts?|collection|activity) (?:on (?:this|your) (?:debt|account) )?"
    r"(?:is |are |has been |have been |will be )?"
    r"(?:being )?(?:terminated|ceased|stopped|ended|discontinued|closed)"
    r"|no longer (?:attempt|try|seek|pursue|contact|collect)"
)
_REMEDY_NOTICE = _compile(
    r"(?:may|might|could|can|intends? to|intend to|plans? to|will) (?:invoke|pursue|exercise|seek|take|file|begin"
    r"|commence|bring|report|refer|use)[^.!?]{0,80}(?:remed|lawsuit|suit|legal action|action|judgment|garnish"
    r"|credit (?:bureau|reporting)|attorney)"
)
# a demand for payment (a cease notice permits none; an overshadowing deadline during validation)
_PAYMENT_DEMAND = _compile(
    r"(?:please|you must|must|need to|should|call (?:us )?(?:now )?to|contact us to)"
    r" (?:pay|make (?:a |your )?payment|settle"
    r"|send (?:a |your )?payment|remit)"
    r"|pay (?:now|today|immediately|the (?:ful )?balance|in ful)|payment (?:is )?(?:due|required|expected)"
)
# 1006.38(b): a deadline or urgency that overshadows the 30-day validation rights
_OVERSHADOWING = _compile(
    r"(?:within|in) (?:\d{1,2}|one|two|three|five|seven|ten|fourteen) (?:business )?days?|immediately|right away"
    r"|today or|final (?:notice|demand|warning)|act now|last chance|before it is too late|urgent"
)

# 1006.18(e)
_DEBT_COLLECTOR = _compile(r"debt collector")
_MINI_MIRANDA = _compile(r"(?:attempt|attempting) to collect a debt")

# 1006.10(b)(1): the caller's employer only if expressly asked
_EMPLOYER_NAMED = _compile(
    r"\bon behalf of\b|\b(?:inc|llc|ltd|corp|corporation|company|bank|financial|services|agency|recovery"
    r"|recoveries|solutions|associates|credit union|card services|law (?:office|firm)|partners)\b"
    r"|银行|公司|集团|机构|律师事务所|信用卡中心|委托"  # a consumer who reads Chinese is told the same way
)
_LOCATION_PURPOSE = _compile(
    r"locat|contact information|contact details|address|phone number|telephone number|confirm|correct|verify"
    r"|reach|get in touch|where .{0,20}(?:live|work)"
    r"|联系方式|联系信息|联系电话|地址|核实|更正|联系到"
)
# 1006.10(b)(4), 1006.22(f)(2): language showing the sender collects debts
_COLLECTION_LANGUAGE = _compile(
    r"\b(?:debts?|colect\w*|recover(?:y|ies)|past[- ]due|overdue|delinquen\w*|owe[sd]?|arrears|final notice"
    r"|payments?|pay now|pay today|balance|amount due|reminder|urgent|time[- ]sensitive"
    r"|immediate (?:action|attention|response)|legal action)\b"
)


@lru_cache(maxsize=4096)
def opt_out_costs_something(normalized: str) -> bool:
    """(kept per text, as the screener keeps its screenings: a template is read once)"""
    return _OPT_OUT_FEE.search(normalized) is not None or _OPT_OUT_INFO.search(normalized) is not None


def cease_notice_kind(normalized: str) -> str | None:
    """Which of the 1006.6(c)(2) notices the text is (`terminated`, `remedy`), or None; a text
    that demands payment is none of them."""
    if _PAYMENT_DEMAND.search(normalized):
        return None
    if _TERMINATION.search(normalized):
        return "terminated"
    if _REMEDY_NOTICE.search(normalized):
        return "remedy"
    return None


def demands_payment(normalized: str) -> bool:
    return _PAYMENT_DEMAND.search(normalized) is not None


def overshadows(normalized: str) -> bool:
    return _OVERSHADOWING.search(normalized) is not None


def says_debt_collector(normalized: str) -> bool:
    return _DEBT_COLLECTOR.search(normalized) is not None


def has_mini_miranda(normalized: str) -> bool:
    return _MINI_MIRANDA.search(normalized) is not None and "purpose" in normalized


def names_an_employer(normalized: str) -> bool:
    return _EMPLOYER_NAMED.search(normalized) is not None


def states_location_purpose(normalized: str) -> bool:
    return _LOCATION_PURPOSE.search(normalized) is not None


def shows_collection(text: str) -> bool:
    """For a text that was not screened (an envelope): lower-cased and collapsed here."""
    lowered = re.sub(r"([a-z])\1+", r"\1", text.lower())
    return _COLLECTION_LANGUAGE.search(lowered) is not None or "colection" in lowered
