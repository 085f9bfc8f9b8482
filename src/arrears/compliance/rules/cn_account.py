"""CN-PLAN-01 installment plans, CN-DISP-01 objections, CN-AGY-03/04 agency and collector
qualification (dates `*_until` are valid through that day)."""

from __future__ import annotations

from datetime import date

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.us_conduct import opted_out


def is_service_message(ctx: Context) -> bool:
    """Service content: a screened text with no finding, declared `service` or not about the debt.

    A call or visit without a script cannot be shown to be service, so it is not one.
    """
    screening = ctx.screening
    if screening is None or screening.findings:
        return False
    return ctx.purpose == "service" or (ctx.purpose is None and not screening.mentions_debt)


def installment_plan(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.installment_plan_active:
        return spec.ok()
    if is_service_message(ctx):
        return spec.ok()
    if ctx.purpose == "service" and ctx.screening is None:
        return spec.review(
            "个性化分期履行期间仅可发送服务类信息；未提供内容，无法确认不含催收",
            "During an installment plan only service messages may go out; no text was given "
            "to confirm it has no collection content",
        )
    return spec.deny(
        "债务人的个性化分期协议正在履行，停止催收（仅可发送服务类信息）",
        "An individualized installment plan is active: collection stops (service messages only)",
    )


def open_objection(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.dispute_open:
        return spec.ok()
    return spec.act(
        "债务人有未处理完毕的异议，请先转核实流程，暂停对争议部分的催收",
        "The debtor's objection is open: route it to verification and hold the disputed part",
    )


def _checked_on(ctx: Context) -> date:
    """The date a mandate or a training certificate is checked on: the latest local date of the
    CN zones (Beijing and the debtor's)."""
    checked = ctx.memo.get("cn-checked-on")  # the same date for the agency and the collector
    if checked is None:
        checked = ctx.memo["cn-checked-on"] = ctx.latest_date(ctx.cn_zones())
    assert isinstance(checked, date)
    return checked


def agency_qualification(ctx: Context, spec: RuleSpec) -> RuleResult:
    agency = ctx.agency
    if agency is None:
        return spec.ok()
    today, name = _checked_on(ctx), agency.id or "?"
    if agency.authorized_until is not None and agency.authorized_until < today:
        return spec.deny(
            f"委外机构 {name} 的委托已于 {agency.authorized_until} 到期",
            f"Agency {name}'s mandate ended on {agency.authorized_until}",
        )
    limit = spec.params["max_days_since_evaluation"]
    if agency.last_evaluation is not None and (today - agency.last_evaluation).days > limit:
        return spec.deny(
            f"委外机构 {name} 上次评估为 {agency.last_evaluation}，已超过 {limit} 天",
            f"Agency {name} was last evaluated on {agency.last_evaluation}, over {limit} days ago",
        )
    if agency.authorized_until is None or agency.last_evaluation is None:
        return spec.review(
            f"委外机构 {name} 的委托期限或评估日期未知",
            f"Agency {name}'s mandate end or last evaluation is not known",
        )
    return spec.ok()


def collector_training(ctx: Context, spec: RuleSpec) -> RuleResult:
    agent = ctx.agent
    if agent is None:
        return spec.ok()
    today, name = _checked_on(ctx), agent.id or "?"
    valid = agent.training_valid_until
    if valid is None:
        return spec.review(
            f"催收人员 {name} 的培训有效期未知", f"Collector {name}'s training date is not known"
        )
    if valid < today:
        return spec.deny(
            f"催收人员 {name} 的培训有效期已于 {valid} 届满",
            f"Collector {name}'s training lapsed after {valid}",
        )
    return spec.ok()


def opted_out_messages(ctx: Context, spec: RuleSpec) -> RuleResult:
    """The person replied 退订/TD (or asked otherwise) not to get messages at this number or
    address, or by this channel: no further SMS or e-mail there."""
    refused = opted_out(ctx)
    if refused is None:
        return spec.ok()
    return spec.deny("对方已退订该号码或地址的短信/邮件", "The person opted out of messages to this number or address")
