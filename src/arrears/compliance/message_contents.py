"""What every message must carry (outreach-v1, "What every message carries"): the required
contents of a message text by jurisdiction, channel and recipient, judged on the text a
template renders for known facts.

A template is judged by what it produces, not by how it is written: it is rendered with probe
facts (a debtor and a third party, an in-house and an agency account) and each rendering is
checked here. Each rule is one row (id, when it applies, what it looks for, the sentence in zh
and en, the citation); a rule that finds its content missing answers ``Verdict.DENY`` with its
reason. Pure: no IO, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from arrears.compliance.outcome import RuleResult, Verdict
from arrears.compliance.screening import screen
from arrears.domain.reasons import Reason

OUTREACH = "arrears outreach-v1 'What every message carries'"
SELF_ID = "CBA 2026 《金融机构个人消费类贷款催收工作指引》 (自报家门); 12 CFR 1006.18(c)(4) (true business name)"
CARD_RULES_69 = "《商业银行信用卡业务监督管理办法》(2011) 第69条"
THIRD_PARTY = ("GB/T 45251—2025 (never disclose the debt to a contact); CBA 2026 指引 (third parties); "
               "12 CFR 1006.6(d)(1), 1006.10")
MINI_MIRANDA = "12 CFR 1006.18(e)"
OPT_OUT = "12 CFR 1006.6(e)"
VALIDATION = "12 CFR 1006.34(c)"


@dataclass(frozen=True, slots=True)
class RenderedProbe:
    """One rendering of a template, with the facts it was rendered for."""

    channel: str  # sms | email | letter
    country: str  # CN | US | UK (the template's jurisdiction)
    recipient: str  # debtor | third_party
    language: str  # zh | en
    text: str  # subject and body, as the recipient reads them
    sender: str  # the real sender: the agency holding the account, else the institution
    creditor: str  # the institution that owns the debt
    name: str  # the customer's (masked) name
    account_tail: str
    amount: str  # the past-due amount as the language writes it

    @property
    def to_debtor(self) -> bool:
        return self.recipient == "debtor"


Check = Callable[[RenderedProbe], bool]


@dataclass(frozen=True, slots=True)
class ContentRule:
    rule_id: str
    applies: Check
    present: Check  # True when the required content is there
    zh: str
    en: str
    citation: str

    def judge(self, probe: RenderedProbe) -> RuleResult:
        if not self.applies(probe) or self.present(probe):
            return RuleResult(Verdict.PASS, Reason(self.rule_id, "", "", self.citation))
        return RuleResult(Verdict.DENY, Reason(self.rule_id, self.zh, self.en, self.citation))


def _has(*words: str) -> Check:
    """Every word (case-insensitive) appears in the text."""
    return lambda p: all(w.lower() in p.text.lower() for w in words)


def _any(*words: str) -> Check:
    return lambda p: any(w.lower() in p.text.lower() for w in words)


def _by_language(zh: Check, en: Check) -> Check:
    return lambda p: en(p) if p.language == "en" else zh(p)


def _no_debt_details(p: RenderedProbe) -> bool:
    if p.amount and p.amount in p.text:
        return False
    if p.account_tail and re.search(rf"(?<!\d){re.escape(p.account_tail)}(?!\d)", p.text):
        return False
    return not screen(p.text).mentions_debt


def _when(*, channels: tuple[str, ...] = (), country: str | None = None, debtor: bool | None = None) -> Check:
    def applies(p: RenderedProbe) -> bool:
        return ((not channels or p.channel in channels) and (country is None or p.country == country)
                and (debtor is None or p.to_debtor == debtor))
    return applies


_EVERY: Check = _when()
_US_DEBTOR_LETTER = _when(channels=("letter",), country="US", debtor=True)
_CN_DEBTOR_LETTER = _when(channels=("letter",), country="CN", debtor=True)

RULES: tuple[ContentRule, ...] = (
    ContentRule("MSG-SENDER-01", _EVERY, lambda p: p.sender in p.text,
                "信息须写明实际发送方（持有该账户的机构或受托催收机构）名称",
                "The message must name its real sender (the institution or the agency holding the account)",
                f"{OUTREACH}; {SELF_ID}"),
    ContentRule("MSG-CREDITOR-01", _EVERY, lambda p: p.creditor in p.text,
                "信息须写明债权机构（发卡机构）名称", "The message must name the creditor (the card issuer)",
                f"{OUTREACH}; 银保监规〔2022〕13号 (the bank's primary responsibility)"),
    ContentRule("CN-SMS-SIG-01", _when(channels=("sms",), country="CN"),
                lambda p: p.text.startswith(f"【{p.sender}】"),
                "中国大陆短信须以【发送方名称】签名开头",
                "A CN text message must begin with the sender's signature in 【】",
                OUTREACH),
    ContentRule("MSG-3P-01", _when(debtor=False), _no_debt_details,
                "发给债务人以外的人的信息不得含有欠款金额、账号或其他债务信息",
                "A message to anyone but the debtor must not carry the amount, the account number or other "
                "debt details",
                THIRD_PARTY),
    ContentRule("US-MINI-01", _when(country="US", debtor=True),
                _by_language(_any("债务催收", "催收债务"), _any("from a debt collector")),
                "美国：信息须声明来自债务催收方（from a debt collector）",
                "US: the message must say it is from a debt collector", MINI_MIRANDA),
    ContentRule("US-OPTOUT-01", _when(channels=("sms", "email"), country="US"),
                lambda p: screen(p.text).has_opt_out,
                "美国：每条短信和电子邮件须写明简单的退订方式（如回复 STOP）",
                "US: every text and e-mail must say how to opt out simply (e.g. reply STOP)", OPT_OUT),
    # CN collection letters: the contents of Art. 69
    ContentRule("CN-LTR-NAME-01", _CN_DEBTOR_LETTER, lambda p: p.name in p.text and p.amount in p.text,
                "催收函须写明持卡人姓名和欠款金额", "A CN collection letter names the cardholder and the balance",
                f"{CARD_RULES_69}(一)"),
    ContentRule("CN-LTR-BASIS-01", _CN_DEBTOR_LETTER,
                _by_language(_any("依据", "根据"), _any("legal basis")),
                "催收函须说明催收事由和法律依据", "A CN collection letter states the reason and the legal basis",
                f"{CARD_RULES_69}(二)"),
    ContentRule("CN-LTR-RIGHTS-01", _CN_DEBTOR_LETTER,
                _by_language(_has("权利", "义务"), _has("rights", "obligations")),
                "催收函须说明持卡人的权利和义务",
                "A CN collection letter states the cardholder's rights and obligations",
                f"{CARD_RULES_69}(三)"),
    ContentRule("CN-LTR-WAYS-01", _CN_DEBTOR_LETTER,
                _by_language(_has("查询", "还款", "异议"), _has("query", "repay", "object")),
                "催收函须说明查询账户、还款、提出异议和提供证据的方式",
                "A CN collection letter says how to query the account, repay, object and give evidence",
                f"{CARD_RULES_69}(四)"),
    ContentRule("CN-LTR-CONTACT-01", _CN_DEBTOR_LETTER,
                _by_language(_any("联系电话", "客服电话", "联系方式"), _any("contact")),
                "催收函须写明银行的联系方式", "A CN collection letter gives the bank's contact details",
                f"{CARD_RULES_69}(五)"),
    ContentRule("CN-LTR-SEAL-01", _CN_DEBTOR_LETTER,
                _by_language(_any("盖章", "公章"), _any("seal")),
                "催收函须加盖业务公章", "A CN collection letter carries the business seal", f"{CARD_RULES_69}(六)"),
    # US validation notice items (the letter is the validation notice)
    ContentRule("US-VN-MIRANDA-01", _US_DEBTOR_LETTER,
                _by_language(_has("催收债务", "用于"), _has("attempting to collect a debt", "used for that purpose")),
                "美国：催收函须声明正在催收债务、所获信息将用于此目的",
                "US: the validation notice says the collector is attempting to collect a debt and any information "
                "obtained will be used for that purpose", f"{VALIDATION}(1); 1006.18(e)(1)"),
    ContentRule("US-VN-DEBT-01", _US_DEBTOR_LETTER,
                lambda p: all(v in p.text for v in (p.name, p.creditor, p.account_tail, p.amount)),
                "美国：催收函须写明消费者姓名、债权人、账号（可截断）和当前金额",
                "US: the validation notice names the consumer, the creditor, the (truncated) account number "
                "and the current amount", f"{VALIDATION}(2)"),
    ContentRule("US-VN-ITEMIZATION-01", _US_DEBTOR_LETTER,
                _by_language(_has("明细日期"), _has("itemization date")),
                "美国：催收函须写明明细日期及其后的利息、费用、还款和贷记明细",
                "US: the validation notice gives the itemization date and the itemization since then",
                f"{VALIDATION}(2)(vi)-(viii)"),
    ContentRule("US-VN-DISPUTE-01", _US_DEBTOR_LETTER,
                _by_language(_has("异议", "原始债权人"), _has("dispute", "original creditor")),
                "美国：催收函须写明异议期限、可索取原始债权人信息及视为有效的说明",
                "US: the validation notice states the dispute deadline, the original-creditor request and the "
                "assumed-valid statement", f"{VALIDATION}(3)"),
    ContentRule("US-VN-CFPB-01", _US_DEBTOR_LETTER, _has("www.cfpb.gov/debt-collection"),
                "美国：催收函须写明 CFPB 网址 www.cfpb.gov/debt-collection",
                "US: the validation notice gives the CFPB website www.cfpb.gov/debt-collection",
                f"{VALIDATION}(3)(iv)"),
)


def missing_contents(probe: RenderedProbe) -> tuple[RuleResult, ...]:
    """Every required content this rendering lacks (an empty tuple: nothing is missing)."""
    return tuple(result for rule in RULES if not (result := rule.judge(probe)).passed)


def country_of(jurisdiction: str) -> str:
    """The template jurisdiction of a customer's ``;``-separated rule packs: ``US-NYC;US`` -> ``US``."""
    first = (jurisdiction or "CN").split(";")[0].strip() or "CN"
    return first.split("-")[0].upper()
