"""US-FREQ-01 (7 calls in 7 days), US-FREQ-02 (7 days after a conversation), US-FREQ-03
(multi-debt capacity). Per person and per debt; a "day" is the consumer-local date, and the
strictest count over every candidate zone wins (A3: covers westernmost and easternmost).

Counted: calls and ringless voicemails that connected (conversation, answered_other,
no_answer, voicemail, dropped). Not counted: busy, not_in_service, failed, wrong_number, calls
to an attorney, calls inside a consent window. A call whose outcome is not recorded yet counts
as what it could still become (`history.could_be`): a connected call, and a conversation that
starts the 7-day quiet period.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from arrears.compliance.context import Context
from arrears.compliance.history import DEBTOR_LIKE, Attempt, could_be
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CALLS, CONVERSATION, Rule, connected

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
    """A telephone conversation, or a call that may still turn out to be one."""
    return attempt.channel == "call" and could_be(attempt, CONVERSATION)


def _inside(span: Span, ts: float) -> bool:
    return span is not None and span[0] <= ts <= span[1]


def call_times(
    ctx: Context, debt: str | None, person: Callable[[Attempt], bool]
) -> tuple[list[float], list[float], Span]:
    """For this person and debt, computed once per request: the times of counted calls, the
    times of telephone conversations (both ascending), and the consent span."""
    key = ("us-call-times", debt)
    found = ctx.memo.get(key)
    if isinstance(found, tuple):  # the memo holds this function's own tuple under its key
        return found
    span = consent_span(ctx, debt, person)
    counted: list[float] = []
    talks: list[float] = []
    to_debtor = person is _to_debtor
    attempts = ctx.attempts
    first = bisect_left(ctx.attempt_times, ctx.at_ts - _lookback_days(ctx) * DAY)
    for index in range(first, len(attempts)):  # inlined tests: the gate's hottest loop
        a = attempts[index]
        if a.channel not in CALLS:
            continue
        if not (a.party in DEBTOR_LIKE if to_debtor else person(a)):
            continue
        if debt is not None and a.debt_ids and debt not in a.debt_ids:
            continue
        if _conversation(a):
            talks.append(a.ts)
        if (
            a.outbound
            and connected(a)
            and a.party != "attorney"
            and (span is None or not span[0] <= a.ts <= span[1])
        ):
            counted.append(a.ts)
    times = (counted, talks, span)
    ctx.memo[key] = times
    return times


def _lookback_days(ctx: Context) -> int:
    """Far enough back to cover every local window the US rules look at, in any zone."""
    quiet = ctx.specs.get("US-FREQ-02")
    return lookback_days_for(quiet.params["quiet_days_after_conversation"] if quiet is not None else 7)


def lookback_days_for(quiet_days: int) -> int:
    """The days ``call_times`` reads back, given US-FREQ-02's quiet days (7 calls in 7 days at least)."""
    return max(quiet_days, 7) + 2


def _most_in_window(ctx: Context, times: list[float], days: int) -> int:
    best = 0
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, days)
        best = max(best, bisect_left(times, end) - bisect_left(times, start))
    return best


def calls_in_week(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> int:
    return _most_in_window(ctx, call_times(ctx, debt, person)[0], 7)


def in_cooldown(ctx: Context, debt: str | None, person: Callable[[Attempt], bool], days: int) -> bool:
    return _most_in_window(ctx, call_times(ctx, debt, person)[1], days) > 0


def consent_active(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> bool:
    return _inside(call_times(ctx, debt, person)[2], ctx.at_ts)


def _label(debt: str | None) -> str:
    return debt if debt is not None else "(未注明)"


def _label_en(debt: str | None) -> str:
    return debt if debt is not None else "(not named)"


def _single_debt(ctx: Context) -> str | None:
    return ctx.debt_ids[0] if ctx.debt_ids else None


Person = Callable[[Attempt], bool]


def _about_one_debt(check: Callable[[Context, RuleSpec, str | None, Person], RuleResult]) -> Rule:
    """A cap on calls about one debt: `check` judges the call against the debt and the person it
    counts for. It does not apply to a call to an attorney, about several debts (``multi_debt``
    judges those), or one the person consented to."""

    def rule(ctx: Context, spec: RuleSpec) -> RuleResult:
        if ctx.party == "attorney" or len(ctx.debt_ids) > 1:
            return spec.ok()
        debt, person = _single_debt(ctx), same_person(ctx)
        if consent_active(ctx, debt, person):
            return spec.ok()
        return check(ctx, spec, debt, person)

    return rule


@_about_one_debt
def seven_in_seven(ctx: Context, spec: RuleSpec, debt: str | None, person: Person) -> RuleResult:
    cap = spec.params["max_calls_per_7_days"]
    count = calls_in_week(ctx, debt, person) + connected(ctx.proposed)
    if count <= cap:
        return spec.ok()
    return spec.deny(
        f"含本次，连续 7 天内就债务 {_label(debt)} 致电同一人将达 {count} 次，超过 {cap} 次",
        f"With this call, {count} calls to this person about debt {_label_en(debt)} in 7 "
        f"consecutive days exceed {cap}",
    )


@_about_one_debt
def after_conversation(ctx: Context, spec: RuleSpec, debt: str | None, person: Person) -> RuleResult:
    days = spec.params["quiet_days_after_conversation"]
    if not in_cooldown(ctx, debt, person, days):
        return spec.ok()
    return spec.deny(
        f"过去 {days} 天内（通话当日为第 1 天）已就债务 {_label(debt)} 与此人通话",
        f"A telephone conversation about debt {_label_en(debt)} took place within the last "
        f"{days} days (its date is day 1)",
    )


def _has_capacity(ctx: Context, debt: str, person: Callable[[Attempt], bool], cap: int, days: int) -> bool:
    if consent_active(ctx, debt, person):
        return True
    if in_cooldown(ctx, debt, person, days):
        return False
    return calls_in_week(ctx, debt, person) + connected(ctx.proposed) <= cap


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
