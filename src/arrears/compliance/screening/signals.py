"""Plain facts about a message that the gate needs besides the findings."""

from __future__ import annotations

import re

from .normalize import collapse_pattern_letters


def _compile(pattern: str) -> re.Pattern[str]:
    """Normalized text has no doubled latin letters, so the patterns must not either."""
    return re.compile(collapse_pattern_letters(pattern))

# States debt facts: 欠款/逾期/欠费/应还/账单 (an amount), "debt", "overdue", "past due"...
_DEBT = _compile(
    r"欠款|逾期|欠费|拖欠|尚欠|应还|待还|未还|账单|还款金额|最低还款|透支|欠[^\s,。]{0,4}[0-9]+"
    r"|(?<![a-z])(?:debt|debts|overdue|past due|balance owed|amount (?:due|owed)|outstanding"
    r"|you owe|owing|arrears|minimum payment|missed payment|due date"
    r"|payment due|balance due|past-due|delinquen[a-z]*|behind on (?:your|the) payments?"
    r"|(?:account|your|current|outstanding|remaining|unpaid) balance|balance of|make a payment"
    r"|payment (?:on|for|toward|towards) (?:your|the) (?:account|card|loan))(?![a-z])"
)
# A clear opt-out: 回复TD退订, 退订, "reply STOP", "unsubscribe", "opt out".
_OPT_OUT = _compile(
    r"退订|拒收|回复?\s*(?:td|t|n|0)\s*(?:退|拒)"
    r"|(?<![a-z])(?:reply|text|send|txt|respond)\s+(?:with\s+)?(?:the\s+word\s+)?[\"'“‘]?"
    r"(?:stop|stopal|end|quit|cancel|revoke|unsubscribe)(?![a-z])"
    r"|(?<![a-z])(?:reply|respond|write|put|type|include)[^.;!?]{0,40}(?<![a-z])stop(?![a-z])[^.;!?]{0,20}subject"
    r"|unsubscribe|opt[ -]?out"
)
# Names the institution or the collector (自报家门), or leaves a template slot for it.
_SELF_ID = _compile(
    r"银行|信用卡中心|卡中心|消费金融|工号|催收专员|客服专员|客户经理|【[^】]{2,20}】|\[[^\]]{2,20}\]"
    r"|我是[^,。!?]{1,12}(?:的|专员|客服|经理|工作人员)"
    r"|(?<![a-z])(?:this is [^,.;!?]{1,40} (?:from|at|with|of)|on behalf of|my name is"
    r"|bank|card services|credit card centre|credit card center|agent id|employee id"
    r"|collections? (?:team|department|agency))(?![a-z])"
)
_TEMPLATE_ID = re.compile(
    r"\{\{?\s*(?:institution|agent_id|agent_name|collector_id|collector_name|bank_name"
    r"|bank|company|creditor|sender)\s*\}?\}"
)


def mentions_debt(normalized: str) -> bool:
    return _DEBT.search(normalized) is not None


def has_opt_out(normalized: str) -> bool:
    return _OPT_OUT.search(normalized) is not None


def self_identifies(original: str, normalized: str) -> bool:
    return (
        _TEMPLATE_ID.search(original.lower()) is not None
        or _SELF_ID.search(normalized) is not None
    )
