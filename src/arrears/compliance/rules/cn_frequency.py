"""CN-FREQ-01 effective conversations, CN-FREQ-02 unanswered dials, CN-FREQ-03 daily touches.

A "day" is the local date in Beijing and in every debtor zone; the strictest count wins.
History from the issuer and every agency is summed (no filter on agency_id). An attempt whose
outcome is not recorded yet counts as whatever it could still become (`history.could_be`):
a reserved call to the debtor is a possible effective conversation and a possible unanswered
dial; the contact judged counts the same way (`ctx.proposed`).
"""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.history import DEBTOR_LIKE, Attempt, counted_on, counted_values
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CONVERSATION, UNANSWERED, max_count, touch_cap

# the outcomes of a call that is, or may still become, a conversation / an unanswered dial
_CALL_MAY_TALK = counted_values("call", CONVERSATION)
_CALL_MAY_GO_UNANSWERED = counted_values("call", UNANSWERED)


def _effective_conversation(attempt: Attempt) -> bool:
    """A10: a proactive (outbound) call that is, or may still become, a conversation with the debtor."""
    return (
        attempt.outbound
        and attempt.channel == "call"
        and attempt.party in DEBTOR_LIKE
        and attempt.outcome in _CALL_MAY_TALK
    )


def effective_conversations(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party != "debtor" or ctx.outcome not in counted_on(ctx.channel, CONVERSATION):  # could_be(ctx.proposed)
        return spec.ok()
    cap = spec.params["max_effective_calls_per_day"]
    count = max_count(ctx, ctx.cn_zones(), 1, _effective_conversation)
    if count < cap:
        return spec.ok()
    return spec.deny(
        f"今日与债务人的有效通话已有 {count} 次（含结果尚未登记、可能成为有效通话的拨打；发卡机构与各委外机构合计），"
        f"已达每日 {cap} 次上限",
        f"{count} effective conversations with the debtor today (counting calls whose outcome is not recorded "
        f"yet; issuer and all agencies together) reach the daily limit of {cap}",
    )


def unanswered_dials(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.outcome not in counted_on(ctx.channel, UNANSWERED):  # could_be(ctx.proposed, UNANSWERED)
        return spec.ok()
    cap = spec.params["max_unanswered_per_contact_point_per_day"]
    address, party = ctx.address, ctx.party

    def same_point_unanswered(attempt: Attempt) -> bool:
        if not attempt.outbound or attempt.channel != "call" or attempt.outcome not in _CALL_MAY_GO_UNANSWERED:
            return False
        if address is not None:
            return attempt.address == address
        # number not given: every unanswered dial to the same party counts (conservative)
        return attempt.party == party or (party == "debtor" and attempt.party in DEBTOR_LIKE)

    count = max_count(ctx, ctx.cn_zones(), 1, same_point_unanswered)
    if count < cap:
        return spec.ok()
    return spec.act(
        f"该联系方式今日已拨打未接通 {count} 次（含结果尚未登记的拨打），已达每日 {cap} 次上限",
        f"{count} unanswered dials to this contact point today (counting dials whose outcome is not recorded "
        f"yet) reach the daily limit of {cap}",
    )


daily_touches = touch_cap(
    "max_touches_per_day",
    Context.cn_zones,
    1,
    "含本次今日将第 {count} 次联系债务人，超过机构每日 {cap} 次的政策上限",
    "This would be touch number {count} today, above the policy cap of {cap} a day",
)
