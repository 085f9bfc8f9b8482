"""State and city overlays: US-MA-01, US-NYC-01, US-WA-01 (per debt/account where their
texts say so; rolling local days, strictest zone)."""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.history import DEBTOR_LIKE, Attempt
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import WORK_KINDS, connected, max_count

MA_MEDIA = frozenset({"call", "voicemail", "sms"})
WA_PARTIES = frozenset({*DEBTOR_LIKE, "spouse", "employer"})
MA_OTHER_NUMBERS_DAYS = 30  # US-MA-01 counts calls to other numbers (e.g. work) over 30 days


def _debts(ctx: Context) -> tuple[str | None, ...]:
    return ctx.debt_ids or (None,)


def massachusetts(ctx: Context, spec: RuleSpec) -> RuleResult:
    """A7: every call that rings or leaves a message, every text, every recorded message."""
    if not ctx.to_debtor:
        return spec.ok()
    work = ctx.kind in WORK_KINDS
    days = MA_OTHER_NUMBERS_DAYS if work else 7
    cap = spec.params["max_per_30_days_other_numbers" if work else "max_per_7_days"]
    for debt in _debts(ctx):

        def counted(a: Attempt, debt: str | None = debt) -> bool:
            return (
                a.outbound
                and a.channel in MA_MEDIA
                and a.to_debtor
                and connected(a)
                and a.about(debt)
                and (a.kind in WORK_KINDS) == work
            )

        count = max_count(ctx, ctx.counting_zones(), days, counted) + connected(ctx.proposed)
        if count > cap:
            name = debt or "?"
            return spec.deny(
                f"马萨诸塞州：含本次，{days} 天内就债务 {name} 主动联系将达 {count} 次，"
                f"超过 {cap} 次",
                f"Massachusetts: with this one, {count} initiated communications about debt "
                f"{name} in {days} days exceed {cap}",
            )
    return spec.ok()


def new_york_city(ctx: Context, spec: RuleSpec) -> RuleResult:
    """A8: every channel, per account; every attempt counts."""
    if not ctx.to_debtor:
        return spec.ok()
    cap = spec.params["max_attempts_per_7_days"]
    for debt in _debts(ctx):

        def counted(a: Attempt, debt: str | None = debt) -> bool:
            return a.outbound and a.to_debtor and a.about(debt)

        count = max_count(ctx, ctx.counting_zones(), 7, counted) + 1
        if count > cap:
            name = debt or "?"
            return spec.deny(
                f"纽约市：含本次，7 天内对账户 {name} 的联系尝试将达 {count} 次，超过 {cap} 次",
                f"New York City: with this one, {count} contact attempts on account {name} in "
                f"7 days exceed {cap}",
            )
    return spec.ok()


def _at_work(kind: str | None, party: str | None) -> bool:
    return kind in WORK_KINDS or party == "employer"


def washington(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party not in WA_PARTIES:
        return spec.ok()

    def communication(a: Attempt) -> bool:
        return a.outbound and a.party in WA_PARTIES and connected(a)

    cap = spec.params["max_per_week"]
    made = connected(ctx.proposed)
    count = max_count(ctx, ctx.counting_zones(), 7, communication) + made
    if count > cap:
        return spec.deny(
            f"华盛顿州：含本次，7 天内与债务人或配偶沟通将达 {count} 次，超过 {cap} 次",
            f"Washington: with this one, {count} communications with the debtor or spouse in "
            f"7 days exceed {cap}",
        )
    if _at_work(ctx.kind, ctx.party):
        work_cap = spec.params["max_at_work_per_week"]

        def at_work(a: Attempt) -> bool:
            return communication(a) and _at_work(a.kind, a.party)

        at_work_count = max_count(ctx, ctx.counting_zones(), 7, at_work) + made
        if at_work_count > work_cap:
            return spec.deny(
                f"华盛顿州：含本次，7 天内在工作场所联系将达 {at_work_count} 次，"
                f"超过 {work_cap} 次",
                f"Washington: with this one, {at_work_count} contacts at work in 7 days "
                f"exceed {work_cap}",
            )
    return spec.ok()
