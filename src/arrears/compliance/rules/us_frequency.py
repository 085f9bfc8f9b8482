"""US-FREQ-01 (7 calls in 7 days), US-FREQ-02 (7 days after a conversation), US-FREQ-03
(multi-debt capacity). Per person and per debt; a "day" is the consumer-local date, and the
strictest count over every candidate zone wins (A3: covers westernmost and easternmost).

Counted: calls and ringless voicemails that connected (conversation, answered_other,
no_answer, voicemail, dropped, and unknown outcomes). Not counted: busy, not_in_service,
failed, wrong_number, calls to an attorney, calls inside a consent window.
"""

from __future__ import annotations

from collections.abc import Callable

from arrears.compliance.context import Context
from arrears.compliance.history import Attempt
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CALLS, CONVERSATION, NOT_CONNECTED

DAY = 86400.0
Span = tuple[float, float] | None


def same_person(ctx: Context) -> Callable[[Attempt], bool]:
    if ctx.party == "debtor":
        return _to_debtor
    party, address = ctx.party, ctx.address
    return lambda a: a.party == party and (address is None or a.address == address)


def _to_debtor(attempt: Attempt) -> bool:
    return attempt.to_debtor


def consent_span(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> Span:
    """US-FREQ-04: call consent given directly covers at most 7 days up to
    `call_consent_until`, and ends early at a conversation about the debt."""
    until = ctx.flags.call_consent_until
    if until is None:
        return None
    end = until.timestamp()
    start = end - 7 * DAY
    for attempt in ctx.attempts:
        in_window = start <= attempt.ts <= end
        if in_window and _conversation(attempt) and person(attempt) and attempt.about(debt):
            return start, attempt.ts
    return start, end


def _conversation(attempt: Attempt) -> bool:
    return attempt.channel == "call" and attempt.outcome in CONVERSATION


def _inside(span: Span, ts: float) -> bool:
    return span is not None and span[0] <= ts <= span[1]


def person_calls(ctx: Context, debt: str | None, person) -> tuple[Attempt, ...]:
    """Calls and voicemails to this person about this debt (computed once per request)."""
    key = ("us-person-calls", debt)
    calls = ctx.memo.get(key)
    if calls is None:
        calls = tuple(a for a in ctx.attempts if a.channel in CALLS and person(a) and a.about(debt))
        ctx.memo[key] = calls
    return calls


def calls_in_week(ctx: Context, debt: str | None, person, span: Span) -> int:
    calls = [
        a
        for a in person_calls(ctx, debt, person)
        if a.outbound
        and a.outcome not in NOT_CONNECTED
        and a.party != "attorney"
        and not _inside(span, a.ts)
    ]
    best = 0
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, 7)
        best = max(best, sum(1 for a in calls if start <= a.ts < end))
    return best


def in_cooldown(ctx: Context, debt: str | None, person, days: int) -> bool:
    talks = [a for a in person_calls(ctx, debt, person) if _conversation(a)]
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, days)
        if any(start <= a.ts < end for a in talks):
            return True
    return False


def _label(debt: str | None) -> str:
    return debt if debt is not None else "(未注明)"


def _label_en(debt: str | None) -> str:
    return debt if debt is not None else "(not named)"


def _single_debt(ctx: Context) -> str | None:
    return ctx.debt_ids[0] if ctx.debt_ids else None


def seven_in_seven(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party == "attorney" or len(ctx.debt_ids) > 1:
        return spec.ok()
    debt, person = _single_debt(ctx), same_person(ctx)
    span = consent_span(ctx, debt, person)
    if _inside(span, ctx.at_ts):
        return spec.ok()
    cap = spec.params["max_calls_per_7_days"]
    count = calls_in_week(ctx, debt, person, span) + 1
    if count <= cap:
        return spec.ok()
    return spec.deny(
        f"含本次，连续 7 天内就债务 {_label(debt)} 致电同一人将达 {count} 次，超过 {cap} 次",
        f"With this call, {count} calls to this person about debt {_label_en(debt)} in 7 "
        f"consecutive days exceed {cap}",
    )


def after_conversation(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party == "attorney" or len(ctx.debt_ids) > 1:
        return spec.ok()
    debt, person = _single_debt(ctx), same_person(ctx)
    if _inside(consent_span(ctx, debt, person), ctx.at_ts):
        return spec.ok()
    days = spec.params["quiet_days_after_conversation"]
    if not in_cooldown(ctx, debt, person, days):
        return spec.ok()
    return spec.deny(
        f"过去 {days} 天内（通话当日为第 1 天）已就债务 {_label(debt)} 与此人通话",
        f"A telephone conversation about debt {_label_en(debt)} took place within the last "
        f"{days} days (its date is day 1)",
    )


def _has_capacity(ctx: Context, debt: str, person, cap: int, days: int) -> bool:
    span = consent_span(ctx, debt, person)
    if _inside(span, ctx.at_ts):
        return True
    if in_cooldown(ctx, debt, person, days):
        return False
    return calls_in_week(ctx, debt, person, span) + 1 <= cap


def multi_debt(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party == "attorney" or len(ctx.debt_ids) < 2:
        return spec.ok()
    person = same_person(ctx)
    cap = ctx.specs["US-FREQ-01"].params["max_calls_per_7_days"] if "US-FREQ-01" in ctx.specs else 7
    days = (
        ctx.specs["US-FREQ-02"].params["quiet_days_after_conversation"]
        if "US-FREQ-02" in ctx.specs
        else 7
    )
    open_debts = [d for d in ctx.debt_ids if _has_capacity(ctx, d, person, cap, days)]
    if not open_debts:
        return spec.deny(
            "本次电话涉及的各笔债务均无剩余致电额度",
            "None of the debts this call is about has call capacity left",
        )
    if len(open_debts) < len(ctx.debt_ids):
        names = ", ".join(open_debts)
        return spec.warn(
            f"仅债务 {names} 尚有致电额度，本次电话只能计入并讨论这些债务",
            f"Only debts {names} have capacity: allocate and discuss only those on this call",
        )
    return spec.ok()
