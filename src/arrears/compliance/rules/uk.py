"""UK pack (FCA CONC 7): UK-TIME-01, UK-PRESS-01, UK-3P-01, UK-MISLEAD-01, UK-FREQ-01,
UK-BS-01."""

from __future__ import annotations

from arrears.compliance.context import Context, clock_label
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.cn_account import is_service_message
from arrears.compliance.rules.common import WRITTEN, clock, findings, inside, text_rule, touch_cap
from arrears.compliance.rules.us_conduct import opted_out
from arrears.compliance.rules.us_time import inconvenient_window_hit
from arrears.compliance.screening.types import Category as C

UK_FIRST_PARTIES = frozenset({"debtor", "guarantor", "attorney"})


def reasonable_time(ctx: Context, spec: RuleSpec) -> RuleResult:
    zones = ctx.uk_zones()
    if not ctx.time_consented():
        start, end = clock(spec.params["allowed_from"]), clock(spec.params["allowed_until"])
        for zone_name in zones:
            local = ctx.local(zone_name)
            if not inside(local, start, end):
                s, e = spec.params["allowed_from"][:5], spec.params["allowed_until"][:5]
                return spec.deny(
                    f"客户当地时间 {clock_label(local)}（{zone_name}）不在 {s} 至 {e} 之间",
                    f"{clock_label(local)} {zone_name} is outside {s}-{e}",
                )
    hit = inconvenient_window_hit(ctx, zones)
    if hit is not None:
        return spec.deny(
            f"客户要求 {hit} 不要联系", f"The customer asked not to be contacted {hit}"
        )
    refused = opted_out(ctx)
    if refused is not None:
        return spec.deny(
            f"客户要求不使用 {refused} 联系", f"The customer asked us not to use {refused}"
        )
    return spec.ok()


pressure = text_rule(
    [C.PRESSURE, C.FUNDS, C.THREAT, C.INSULT, C.FAMILY],
    "施压、威胁或诱导借款",
    "pressure, threats or borrowing inducement",
)


def _litigation_misleading(ctx: Context) -> bool:
    """Court wording misleads on a statute-barred debt, or when no action is authorized."""
    return bool(ctx.flags.time_barred) or not ctx.flags.litigation_authorized


_MISLEADING = frozenset({C.AUTHORITY, C.CRIMINAL})
_LEGAL = frozenset({C.LITIGATION, C.REMEDY})


def misleading(ctx: Context, spec: RuleSpec) -> RuleResult:
    found = findings(ctx, _MISLEADING)
    if not found and _litigation_misleading(ctx):
        found = findings(ctx, _LEGAL)
    if not found:
        return spec.ok()
    words = ", ".join(dict.fromkeys(f'"{f.excerpt}"' for f in found))
    return spec.deny(
        f"信息可能误导客户（虚称权威或法律后果、或就过时效债务威胁起诉）：{words}",
        f"The text may mislead (false authority or legal consequences, or court on a "
        f"statute-barred debt): {words}",
    )


def third_parties(ctx: Context, spec: RuleSpec) -> RuleResult:
    found = findings(ctx, frozenset({C.DISCLOSURE}))
    if found:
        words = ", ".join(dict.fromkeys(f'"{f.excerpt}"' for f in found))
        return spec.deny(
            f"信息威胁向他人透露债务：{words}", f"The text threatens disclosure: {words}"
        )
    if ctx.party in UK_FIRST_PARTIES:
        return spec.ok()
    screening = ctx.screening
    if ctx.purpose == "collection" or (screening is not None and screening.mentions_debt):
        return spec.deny("不得向第三人透露债务", "The debt must not be disclosed to a third party")
    if screening is None and ctx.channel in WRITTEN and ctx.purpose != "location":
        return spec.review(
            "发给第三人的书面内容未提供，无法确认未透露债务",
            "No text given for a written contact with a third party",
        )
    return spec.ok()


contact_cap = touch_cap(
    "max_contacts_per_7_days",
    Context.uk_zones,
    7,
    "含本次，7 天内联系客户将达 {count} 次，超过政策上限 {cap} 次",
    "With this one, {count} contacts in 7 days exceed the policy cap of {cap}",
)


def breathing_space(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.breathing_space:
        return spec.ok()
    if is_service_message(ctx):
        return spec.ok()
    return spec.deny(
        "客户处于喘息期（Breathing Space），不得要求还款",
        "The customer is in a Breathing Space moratorium: no request for payment",
    )
