"""US-PLACE-01, US-EMAIL-01, US-ATTY-01, US-CEASE-01, US-MEDIUM-01, US-ESMS-01, US-3P-01, US-TCPA-01."""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import WORK_KINDS

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


def employer_email(ctx: Context, spec: RuleSpec) -> RuleResult:
    """An employer-provided address is ``work_email`` (contact points record it as ``employer_provided``)."""
    if ctx.kind != "work_email":
        return spec.ok()
    return spec.deny("不得向雇主提供的工作邮箱发送邮件", "No e-mail to an employer-provided address")


def attorney(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.attorney_represented or ctx.party == "attorney":
        return spec.ok()
    return spec.deny(
        "消费者已委托律师，只能联系其律师", "The consumer is represented: contact the attorney only"
    )


def cease(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.cease_communication or ctx.party == "attorney":
        return spec.ok()
    if ctx.purpose == "cease_reply":
        return spec.review(
            "消费者已要求停止联系；仅可发送法规允许的三类通知之一，须人工审核",
            "The consumer asked us to stop; only one of the three permitted notices may go, "
            "after review",
        )
    return spec.deny("消费者已要求停止联系", "The consumer sent a cease-communication notice")


def opted_out(ctx: Context) -> str | None:
    opt_outs = ctx.flags.opt_outs
    if not opt_outs:
        return None
    for item in opt_outs:
        if item == ctx.channel or (item == "call" and ctx.channel == "voicemail"):
            return item
        if ctx.address is not None and item == ctx.address:
            return item
    return None


def medium(ctx: Context, spec: RuleSpec) -> RuleResult:
    refused = opted_out(ctx)
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
        return spec.ok()
    return spec.deny(
        "短信或邮件未包含清晰简便的退订方式", "The e-mail or text has no clear, simple opt-out"
    )


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
