"""State and city overlays: US-MA-01..04, US-NYC-01, US-WA-01 (per debt/account where their
texts say so; rolling local days, strictest zone).

Who they bind (catalogue 2.1, 2.5): Massachusetts 940 CMR 7.00 binds creditors and 209 CMR 18
licensed debt collectors, so US-MA-01/02/04 judge the issuer and its agencies alike; US-MA-03
(940 CMR 7.05) is the creditor's own rule. The NYC SHIELD rule binds creditors once engaged in
collection, so US-NYC-01 judges both. RCW 19.16 licenses collection agencies and does not bind
the creditor: US-WA-01 judges agencies only (`action.agency` null = the issuer itself).
"""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.history import DEBTOR_LIKE, Attempt, could_be
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CONVERSATION, WORK_KINDS, connected, max_count

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


# A communication conveys something (a voicemail that is a limited-content message does not,
# 1006.2(j); a call that rings out or is busy does not): a conversation with someone, a call cut
# off after it was answered, a voicemail not known to be limited-content, a written message
# delivered, or an attempt whose outcome is not known yet and may be one of these.
_CONVEYED = frozenset({*CONVERSATION, "answered_other", "dropped", "voicemail", "delivered"})


def communicated(a: Attempt) -> bool:
    if a.limited_content is True and a.outcome == "voicemail":
        return False
    return could_be(a, _CONVEYED)


def washington(ctx: Context, spec: RuleSpec) -> RuleResult:
    """RCW 19.16.250 binds licensed collection agencies (not the creditor): communications, not
    attempts, count - a limited-content voicemail or an unanswered call conveys nothing."""
    if ctx.party not in WA_PARTIES or ctx.agency is None:
        return spec.ok()

    def communication(a: Attempt) -> bool:
        return a.outbound and a.party in WA_PARTIES and communicated(a)

    cap = spec.params["max_per_week"]
    made = communicated(ctx.proposed)
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


def massachusetts_work_request(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-MA-02 (209 CMR 18.16(1)(c)): no call at work after the consumer asked; an oral request
    holds 10 days unless confirmed in writing (`no_work_contact_requested_at`,
    `no_work_contact_in_writing`). A standing `no_work_contact` is US-PLACE-01's."""
    flags = ctx.flags
    if not _at_work(ctx.kind, ctx.party):
        return spec.ok()
    if flags.no_work_contact_in_writing:
        return spec.deny(
            "马萨诸塞州：消费者已书面要求不在工作场所联系",
            "Massachusetts: the consumer asked in writing not to be called at work",
        )
    asked = flags.no_work_contact_requested_at
    days = spec.params["oral_request_days"]
    if asked is not None and asked.timestamp() <= ctx.at_ts < asked.timestamp() + days * 86400:
        return spec.deny(
            f"马萨诸塞州：消费者 {days} 天内口头要求不在工作场所联系",
            f"Massachusetts: the consumer asked orally, less than {days} days ago, not to be called at work",
        )
    return spec.ok()


HOUSEHOLD = frozenset({"spouse", "emergency_contact", "third_party"})


def massachusetts_household(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-MA-03 (940 CMR 7.05(2)): a creditor must not imply the fact of the debt to members of
    the debtor's household other than the debtor - the spouse (a consumer under Reg F, not here),
    or anyone reached on the debtor's home line. Judged for the issuer (`action.agency` null)."""
    if ctx.agency is not None or ctx.party in {"debtor", "attorney"}:
        return spec.ok()
    if ctx.party not in HOUSEHOLD and ctx.kind != "home":
        return spec.ok()
    screening = ctx.screening
    if ctx.purpose == "collection" or (screening is not None and screening.mentions_debt):
        return spec.deny(
            "马萨诸塞州：债权人不得向债务人以外的家庭成员透露或暗示债务",
            "Massachusetts: a creditor may not imply the debt to household members other than the debtor",
        )
    if screening is None and ctx.purpose not in ("location", "service"):
        return spec.review(
            "马萨诸塞州：联系债务人的家庭成员，目的未知，须确认不涉及债务",
            "Massachusetts: contact with a household member for an unknown purpose; confirm it does not imply the debt",
        )
    return spec.ok()


def massachusetts_visits(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-MA-04 (209 CMR 18.17(6), catalogue 2.5): at most one visit to the debtor's home per debt
    in 30 days; unanswered visits do not count."""
    if ctx.channel != "visit" or not ctx.to_debtor:
        return spec.ok()
    cap = spec.params["max_visits_per_30_days"]
    for debt in _debts(ctx):

        def visited(a: Attempt, debt: str | None = debt) -> bool:
            return a.outbound and a.channel == "visit" and a.to_debtor and a.about(debt) and could_be(a, _VISIT_MET)

        count = max_count(ctx, ctx.counting_zones(), 30, visited) + 1
        if count > cap:
            name = debt or "?"
            return spec.deny(
                f"马萨诸塞州：含本次，30 天内就债务 {name} 上门将达 {count} 次，超过 {cap} 次",
                f"Massachusetts: with this one, {count} visits about debt {name} in 30 days exceed {cap}",
            )
    return spec.ok()


_VISIT_MET = frozenset({*CONVERSATION, "answered_other"})
