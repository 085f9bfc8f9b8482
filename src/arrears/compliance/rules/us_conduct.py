"""US-PLACE-01/02, US-EMAIL-01 (the catalogue's US-ESMS-02), US-ATTY-01, US-CEASE-01,
US-MEDIUM-01, US-ESMS-01, US-3P-01, US-TCPA-01."""

from __future__ import annotations

from typing import cast

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult, Verdict
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import WORK_KINDS, WRITTEN, listed_address, replies_once
from arrears.compliance.rules.us_wording import cease_notice_kind, opt_out_costs_something

# "consumer" in 1006.6(a) includes the spouse; a guarantor is obligated on the debt
US_CONSUMERS = frozenset({"debtor", "spouse", "guarantor"})
AUTOMATABLE = frozenset({"call", "voicemail", "sms"})


def workplace(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.no_work_contact:
        return spec.ok()
    if ctx.kind in WORK_KINDS or ctx.party == "employer":
        return spec.deny(
            "消费者已表示不能在工作场所接受联系", "The consumer cannot be contacted at work"
        )
    return spec.ok()


# places whose landline and mail (or visit) a designated inconvenient place blocks (US-PLACE-02)
_PLACE_KINDS = {"home": frozenset({"home", "postal"}), "work": frozenset({"work"})}
_PLACE_MEDIA = frozenset({"call", "voicemail", "letter", "visit"})


def inconvenient_place(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-PLACE-02 (1006.6(b)(1)(ii), comment 6(b)(1)(ii)-1): a place the consumer said is
    inconvenient (`inconvenient_places`: `home`, `work` or an address or number). A landline, the
    mailing address and a visit are tied to the place; a mobile number and an e-mail address are
    not, so they stay usable (unless the collector knows the consumer is there)."""
    places = ctx.flags.inconvenient_places
    if not places or ctx.channel not in _PLACE_MEDIA:
        return spec.ok()
    for place in places:
        tied = _PLACE_KINDS.get(place)
        if (ctx.address is not None and place == ctx.address) or (tied is not None and ctx.kind in tied):
            return spec.deny(
                f"消费者表示 {place} 不方便联系（固定电话、邮寄地址或上门与该地点相关）",
                f"The consumer said {place} is an inconvenient place (a landline, the mailing address or a "
                "visit is tied to it)",
            )
        if place == "home" and ctx.channel == "visit" and ctx.kind is None:
            return spec.deny(
                "消费者表示住所不方便联系，不得上门", "The consumer said home is inconvenient: no visit there"
            )
    return spec.ok()


def consumer_used_address(ctx: Context) -> bool:
    """6(d)(4)(i): the consumer wrote to us from this address (an inbound e-mail from it in the
    history), or consented directly to its use (`electronic_consents`)."""
    address = ctx.address
    if address is None:
        return False
    consents = ctx.flags.electronic_consents
    if listed_address(address, consents):
        return True
    times = inbound_times(ctx, ctx.channel, address, debtor_only=False)
    return bool(times) and times[0] <= ctx.at_ts


def inbound_times(ctx: Context, channel: str, address: str | None, *, debtor_only: bool) -> tuple[float, ...]:
    """The times, ascending, of the inbound entries on `channel` from `address` (None: any), from
    the debtor only or from anyone, worked out once per history (`Context.history_memo`)."""
    key = ("us-inbound", channel, address, debtor_only)
    found = ctx.history_memo.get(key)
    if found is None:
        found = ctx.history_memo[key] = tuple([
            a.ts for a in ctx.attempts
            if not a.outbound and a.channel == channel and (address is None or a.address == address)
            and (not debtor_only or a.to_debtor)
        ])
    return cast(tuple[float, ...], found)


def employer_email(ctx: Context, spec: RuleSpec) -> RuleResult:
    """The catalogue's US-ESMS-02 (1006.22(f)(3), comment 22(f)(3)-1). An employer-provided address
    is ``work_email`` (contact points record it as ``employer_provided``). Allowed when it is an
    address of 6(d)(4)(i): the consumer used it to write to us about the debt, or consented
    directly to it (an opt-out since is US-MEDIUM-01's); the prior-collector chain (iii) is not
    recorded, so it is not relied on."""
    if ctx.kind != "work_email" or consumer_used_address(ctx):
        return spec.ok()
    return spec.deny("不得向雇主提供的工作邮箱发送邮件", "No e-mail to an employer-provided address")


def attorney(ctx: Context, spec: RuleSpec) -> RuleResult:
    """1006.6(b)(2): a represented consumer is contacted through the attorney; a contact the
    consumer initiated may be answered once (comment 6(b)(2)-1), representation going on after."""
    if not ctx.flags.attorney_represented or ctx.party == "attorney" or replies_once(ctx, same_medium=False):
        return spec.ok()
    return spec.deny(
        "消费者已委托律师，只能联系其律师", "The consumer is represented: contact the attorney only"
    )


_NOTICES = {
    "terminated": ("告知停止进一步催收", "advises that further efforts are being terminated (1006.6(c)(2)(i))"),
    "remedy": (
        "告知可能或拟采取的特定措施",
        "notifies a remedy that may be, or is intended to be, invoked (1006.6(c)(2)(ii)-(iii))",
    ),
}


def cease(ctx: Context, spec: RuleSpec) -> RuleResult:
    """1006.6(c): after a cease or refuse-to-pay notice, nothing more except a written notice
    (letter, e-mail, text) that is one of the three the rule permits: efforts are terminated; the
    collector or creditor may invoke specified remedies it ordinarily invokes; it intends to invoke
    a specified remedy. A text that also asks for payment is none of them. Remedy wording is
    still judged by US-TXT-03 and US-SOL-01 (authorized, not time-barred). A call or visit, or a
    declared `cease_reply` without a text to read, goes to review."""
    if not ctx.flags.cease_communication or ctx.party == "attorney":
        return spec.ok()
    screening = ctx.screening
    if screening is not None and ctx.channel in WRITTEN:
        kind = cease_notice_kind(screening.normalized)
        if kind is not None:
            zh, en = _NOTICES[kind]
            return spec.warn(
                f"消费者已要求停止联系；本信息{zh}，属法规允许的例外", f"The consumer asked us to stop; this text {en}"
            )
    if ctx.purpose == "cease_reply":
        return spec.review(
            "消费者已要求停止联系；仅可发送法规允许的三类通知之一，须人工审核",
            "The consumer asked us to stop; only one of the three permitted notices may go, "
            "after review",
        )
    return spec.deny("消费者已要求停止联系", "The consumer sent a cease-communication notice")


REPLIED_MEDIA = frozenset({"sms", "email"})  # a STOP reply stops texts and e-mails, not calls


def opted_out(ctx: Context) -> str | None:
    opt_outs = ctx.flags.opt_outs
    if not opt_outs and not ctx.flags.replied_stop:
        return None
    for item in opt_outs or ():
        if item == ctx.channel or (item == "call" and ctx.channel == "voicemail"):
            return item
    if ctx.channel in REPLIED_MEDIA and listed_address(ctx.address, ctx.flags.replied_stop):
        return f"{ctx.channel} (replied STOP)"
    return listed_address(ctx.address, opt_outs)  # a channel's name never reads as an address


def medium_refused(ctx: Context) -> str | None:
    """What the person reached asked us not to use: the channel or this address (``opt_outs``),
    or this address of a third party who asked not to be contacted (``third_party_do_not_contact``;
    12 CFR 1006.14(h) protects any person, not only the consumer)."""
    return opted_out(ctx) or listed_address(ctx.address, ctx.flags.third_party_do_not_contact)


def medium(ctx: Context, spec: RuleSpec) -> RuleResult:
    refused = medium_refused(ctx)
    if refused is None:
        return spec.ok()
    if ctx.purpose == "opt_out_confirmation":
        return spec.review(
            f"消费者已拒绝 {refused}；仅可发送一次退订确认，须人工审核",
            f"The person opted out of {refused}; one confirmation only, after review",
        )
    return spec.deny(f"消费者已要求不使用 {refused}", f"The person asked us not to use {refused}")


def electronic_opt_out(ctx: Context, spec: RuleSpec) -> RuleResult:
    screening = ctx.screening
    if screening is None:
        return spec.review(
            "未提供短信或邮件内容，无法确认含有退订方式",
            "No text given: cannot confirm the e-mail or text carries an opt-out",
        )
    if screening.has_opt_out:
        if opt_out_costs_something(screening.normalized):
            return spec.said(Verdict.DENY, _costly_opt_out)
        return spec.ok()
    return spec.said(Verdict.DENY, _no_opt_out)


def _costly_opt_out() -> tuple[str, str]:
    return (
        "退订方式不得收费，也不得要求提供退订意愿及地址或号码以外的信息",
        "The opt-out may not require a fee or any information beyond the opt-out preference and the address or "
        "number",
    )


def _no_opt_out() -> tuple[str, str]:
    return "短信或邮件未包含清晰简便的退订方式", "The e-mail or text has no clear, simple opt-out"


def third_party(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party in US_CONSUMERS or ctx.party == "attorney":
        return spec.ok()
    if ctx.purpose == "collection":
        return spec.deny(
            "不得就债务与第三人沟通", "No communication about the debt with a third party"
        )
    screening = ctx.screening
    if screening is not None and screening.mentions_debt:
        return spec.deny("发给第三人的内容提及债务", "The text to a third party mentions the debt")
    if screening is not None or ctx.purpose == "location":
        return spec.ok()
    return spec.review(
        "联系第三人的目的未知：仅可为获取位置信息，且不得提及债务",
        "Purpose unknown: a third party may be contacted only for location information, "
        "without mentioning the debt",
    )


def _tcpa_consent(ctx: Context) -> bool:
    flags = ctx.flags
    if flags.tcpa_consent:
        return True
    return flags.call_consent_until is not None and ctx.at <= flags.call_consent_until


def automated_to_mobile(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.automated or ctx.kind not in ("mobile", None):
        return spec.ok()
    if _tcpa_consent(ctx):
        return spec.ok()
    return spec.deny(
        "向手机自动拨号、预录/AI 语音或自动短信未获事先明确同意",
        "Automated, prerecorded or AI-voice contact to a mobile without prior express consent",
    )
