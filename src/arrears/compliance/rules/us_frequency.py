"""US-FREQ-01 (7 calls in 7 days), US-FREQ-02 (7 days after a conversation), US-FREQ-03
(multi-debt capacity), US-FREQ-04 (the consent exclusion), US-FREQ-05 (concentrated calls) and
US-FREQ-06 (cumulative texts and e-mails, policy). Per person and per debt; a "day" is the
consumer-local date, and the strictest count over every candidate zone wins (A3: covers
westernmost and easternmost).


The calls the caps count are found by `us_calls` (one pass over the history per request).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import cast

from arrears.compliance.context import Context
from arrears.compliance.history import DEBTOR_LIKE, Attempt
from arrears.compliance.outcome import RuleResult, Verdict
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CALLS, NOT_CONNECTED, Rule
from arrears.compliance.rules.us_calls import (
    CallTimes,
    call_times,
    calls_in_week,
    consent_active,
    in_cooldown,
    lookback_days_for,
    most_in_window,
    proposed_connected,
    same_person,
)

__all__ = ["lookback_days_for"]  # rules.WINDOWS reads it here, with the rules


def _label(debt: str | None) -> str:
    return debt if debt is not None else "(未注明)"


def _label_en(debt: str | None) -> str:
    return debt if debt is not None else "(not named)"


def _single_debt(ctx: Context) -> str | None:
    return ctx.debt_ids[0] if ctx.debt_ids else None


Person = Callable[[Attempt], bool]


def _about_one_debt(check: Callable[[Context, RuleSpec, str | None, CallTimes], RuleResult]) -> Rule:
    """A cap on calls about one debt: `check` judges the call against the debt and the calls to
    the person it counts for (`call_times`). It does not apply to a call to an attorney, about
    several debts (``multi_debt`` judges those), or one the person consented to."""

    def rule(ctx: Context, spec: RuleSpec) -> RuleResult:
        if ctx.party == "attorney" or len(ctx.debt_ids) > 1:
            return spec.ok()
        debt = _single_debt(ctx)
        times = call_times(ctx, debt, same_person(ctx))
        span = times[2]
        if span is not None and span[0] <= ctx.at_ts <= span[1]:  # consent_active
            return spec.ok()
        return check(ctx, spec, debt, times)

    return rule


@_about_one_debt
def seven_in_seven(ctx: Context, spec: RuleSpec, debt: str | None, times: CallTimes) -> RuleResult:
    cap = spec.params["max_calls_per_7_days"]
    count = most_in_window(ctx, times[0], 7) + proposed_connected(ctx)
    if count <= cap:
        return spec.ok()
    return spec.said(Verdict.DENY, _over_seven, debt, count, cap)


def _over_seven(debt: str | None, count: int, cap: int) -> tuple[str, str]:
    return (
        f"含本次，连续 7 天内就债务 {_label(debt)} 致电同一人将达 {count} 次，超过 {cap} 次",
        f"With this call, {count} calls to this person about debt {_label_en(debt)} in 7 "
        f"consecutive days exceed {cap}",
    )


@_about_one_debt
def after_conversation(ctx: Context, spec: RuleSpec, debt: str | None, times: CallTimes) -> RuleResult:
    days = spec.params["quiet_days_after_conversation"]
    if not most_in_window(ctx, times[1], days):
        return spec.ok()
    return spec.said(Verdict.DENY, _too_soon, debt, days)


def _too_soon(debt: str | None, days: int) -> tuple[str, str]:
    return (
        f"过去 {days} 天内（通话当日为第 1 天）已就债务 {_label(debt)} 与此人通话",
        f"A telephone conversation about debt {_label_en(debt)} took place within the last "
        f"{days} days (its date is day 1)",
    )


def _has_capacity(ctx: Context, debt: str, person: Callable[[Attempt], bool], cap: int, days: int) -> bool:
    if consent_active(ctx, debt, person):
        return True
    if in_cooldown(ctx, debt, person, days):
        return False
    return calls_in_week(ctx, debt, person) + proposed_connected(ctx) <= cap


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
        return spec.said(Verdict.DENY, _no_capacity)
    if len(open_debts) < len(ctx.debt_ids):
        names = ", ".join(open_debts)
        return spec.warn(
            f"仅债务 {names} 尚有致电额度，本次电话只能计入并讨论这些债务",
            f"Only debts {names} have capacity: allocate and discuss only those on this call",
        )
    return spec.ok()


def _no_capacity() -> tuple[str, str]:
    return "本次电话涉及的各笔债务均无剩余致电额度", "None of the debts this call is about has call capacity left"


def _limits(ctx: Context) -> tuple[int, int]:
    calls = ctx.specs.get("US-FREQ-01")
    quiet = ctx.specs.get("US-FREQ-02")
    return (
        calls.params["max_calls_per_7_days"] if calls is not None else 7,
        quiet.params["quiet_days_after_conversation"] if quiet is not None else 7,
    )


def consent_exclusion(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-FREQ-04: a call inside the consent window is not counted (US-FREQ-01/02 pass it). When
    the window is what allows this call (without it the call would be over the cap or inside the
    quiet period), say so: the allowance rests on the consent record."""
    if ctx.flags.call_consent_until is None or ctx.party == "attorney":
        return spec.ok()
    person = same_person(ctx)
    cap, days = _limits(ctx)
    relied = [
        d for d in (ctx.debt_ids or (None,))
        if consent_active(ctx, d, person)
        and (in_cooldown(ctx, d, person, days) or calls_in_week(ctx, d, person) + proposed_connected(ctx) > cap)
    ]
    if not relied:
        return spec.ok()
    names = ", ".join(_label_en(d) for d in relied)
    return spec.warn(
        f"本次电话仅因消费者直接同意（7 天内）而不计入频率限制：债务 {', '.join(_label(d) for d in relied)}",
        f"This call is outside the frequency limits only because the person consented directly "
        f"(within 7 days): debt {names}",
    )


def concentration(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-FREQ-05 (comment 14(b)(2)(i)-2.i-ii): calls or voicemails to the same number in rapid
    succession, or concentrated in one day, may rebut the presumption of compliance."""
    if ctx.party == "attorney" or ctx.outcome in NOT_CONNECTED:  # not proposed_connected(ctx)
        return spec.ok()
    times, params = ctx.attempt_times, spec.params
    gap_minutes = params["min_gap_minutes"]
    first, last = bisect_left(times, ctx.at_ts - gap_minutes * 60), bisect_right(times, ctx.at_ts)
    if last > first and _same_number_calls(ctx, first, last):
        return spec.act(
            f"{gap_minutes} 分钟内已拨打同一号码（短时间内连续拨打可推翻合规推定）",
            f"The same number was called within {gap_minutes} minutes (calls in rapid succession may "
            "rebut the presumption of compliance)",
        )
    cap = params["max_per_day"]
    count = 1
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, 1)
        first, last = bisect_left(times, start), bisect_left(times, end)
        if last - first >= count:  # enough entries that day to count more
            count = max(count, _same_number_calls(ctx, first, last) + 1)
    if count > cap:
        return spec.act(
            f"含本次，当日拨打同一号码将达 {count} 次，超过 {cap} 次（集中拨打可推翻合规推定）",
            f"With this call, {count} calls to the same number in one day exceed {cap} (highly "
            "concentrated calls may rebut the presumption of compliance)",
        )
    return spec.ok()


def _same_number_calls(ctx: Context, first: int, last: int) -> int:
    """Connected outbound calls in attempts[first:last] to `address` (with no address: to the
    same person). A known outcome is connected unless it is one of NOT_CONNECTED; an unknown or
    planned one may still be connected (as `common.connected` says, inlined: a hot loop)."""
    attempts, address, party = ctx.attempts, ctx.address, ctx.party
    to_debtor = party == "debtor"
    count = 0
    for index in range(first, last):
        a = attempts[index]
        if a.channel not in CALLS or not a.outbound or a.outcome in NOT_CONNECTED:
            continue
        if address is not None:
            if a.address == address:
                count += 1
        elif (a.party in DEBTOR_LIKE) if to_debtor else a.party == party:
            count += 1
    return count


ELECTRONIC = frozenset({"sms", "email"})


def electronic_messages(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-FREQ-06 (1006.14(a), comments 14(a)-1, -2): the cumulative effect of unsolicited texts
    or e-mails to a person; Reg F gives no number, so the caps are policy (A6)."""
    times = _messages_sent(ctx)
    for days, name in ((1, "max_per_day"), (7, "max_per_7_days")):
        cap = spec.params[name]
        count = most_in_window(ctx, times, days) + 1
        if count > cap:
            return spec.acts(_too_many_messages, ctx.channel, days, count, cap)
    return spec.ok()


def _too_many_messages(channel: str, days: int, count: int, cap: int) -> tuple[str, str]:
    return (
        f"含本次，{days} 天内向此人发送 {channel} 将达 {count} 条，超过政策上限 {cap} 条",
        f"With this one, {count} {channel} messages to this person in {days} day(s) exceed "
        f"the policy cap of {cap}",
    )


def _messages_sent(ctx: Context) -> tuple[float, ...]:
    """The times of the messages on the contact's channel sent to the person that reached them,
    or may still have (`common.connected`: every outcome but the surely unconnected ones, as an
    outcome table), worked out once per history, channel and person (`Context.history_memo`)."""
    channel, party = ctx.channel, ctx.party
    address = None if party == "debtor" else ctx.address
    key = ("us-messages-sent", channel, party, address)
    found = ctx.history_memo.get(key)
    if found is None:
        person = same_person(ctx)
        found = ctx.history_memo[key] = tuple([
            a.ts for a in ctx.attempts
            if a.channel == channel and a.outbound and a.outcome not in NOT_CONNECTED and person(a)
        ])
    return cast(tuple[float, ...], found)
