"""US-FREQ-01 (7 calls in 7 days), US-FREQ-02 (7 days after a conversation), US-FREQ-03
(multi-debt capacity), US-FREQ-04 (the consent exclusion), US-FREQ-05 (concentrated calls) and
US-FREQ-06 (cumulative texts and e-mails, policy). Per person and per debt; a "day" is the
consumer-local date, and the strictest count over every candidate zone wins (A3: covers
westernmost and easternmost).

Counted: calls and ringless voicemails that connected (conversation, answered_other,
no_answer, voicemail - a limited-content message left is a call -, dropped). Not counted
(1006.14(b)(3), comments 14(b)-1, 14(b)(2)(i)-3): busy, not_in_service, failed, wrong_number,
calls to an attorney, calls inside a consent window, calls to a number later found to belong to
someone else, texts and e-mails. A call whose outcome is not recorded yet counts as what it could
still become (`history.could_be`): a connected call, and a conversation that starts the 7-day
quiet period.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import datetime, timedelta

from arrears.compliance.context import Context, day_start
from arrears.compliance.history import DEBTOR_LIKE, Attempt, could_be, counted_values
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.request import zone
from arrears.compliance.rules.common import CALLS, CONVERSATION, NOT_CONNECTED, Rule, connected, max_count

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
    """US-FREQ-04 (1006.14(b)(3)(i), comment 14(b)(3)(i)-2): consent given directly covers the
    calls placed from its receipt for at most 7 consecutive days (the day of receipt is day 1,
    its end judged in the strictest zone) and up to `call_consent_until`; a telephone
    conversation about the debt after its receipt ends it early.

    Receipt: `call_consent_given_at` when given. Otherwise the first conversation or inbound
    contact with the person about the debt in the 7 days before `call_consent_until` - the
    official example (comment 14(b)(3)(i)-3.i: "call back on Monday", said in a conversation)
    is consent received in a conversation, which that conversation does not end; with no such
    contact, 7 days before `call_consent_until`."""
    until = ctx.flags.call_consent_until
    if until is None:
        return None
    end = until.timestamp()
    given = ctx.flags.call_consent_given_at
    start = given.timestamp() if given is not None else _inferred_receipt(ctx, debt, person, end)
    end = min(end, *(_seventh_day_end(start, z) for z in ctx.counting_zones()))
    if start > end:
        return None
    for attempt in ctx.attempts:
        if start < attempt.ts <= end and _conversation(attempt) and person(attempt) and attempt.about(debt):
            return start, attempt.ts
    return start, end


def _inferred_receipt(ctx: Context, debt: str | None, person: Callable[[Attempt], bool], end: float) -> float:
    earliest = end - 7 * DAY
    for attempt in ctx.attempts:
        if attempt.ts < earliest or attempt.ts > end:
            continue
        spoke = attempt.outcome in CONVERSATION and attempt.channel == "call"
        if (spoke or not attempt.outbound) and person(attempt) and attempt.about(debt):
            return attempt.ts
    return earliest


def _seventh_day_end(start: float, zone_name: str) -> float:
    """The end of the 7th consecutive local date that starts with the date of `start`."""
    first = datetime.fromtimestamp(start, zone(zone_name)).date()
    return day_start(zone_name, first + timedelta(days=7))


def _conversation(attempt: Attempt) -> bool:
    """A telephone conversation, or a call that may still turn out to be one."""
    return attempt.channel == "call" and could_be(attempt, CONVERSATION)


def _inside(span: Span, ts: float) -> bool:
    return span is not None and span[0] <= ts <= span[1]


def call_times(
    ctx: Context, debt: str | None, person: Callable[[Attempt], bool]
) -> tuple[list[float], list[float], Span]:
    """For this person and debt, computed once per request: the times of counted calls, the
    times of telephone conversations (both ascending), and the consent span. The first call
    scans the history once for every debt of the request (and `debt`)."""
    key = ("us-call-times", debt)
    found = ctx.memo.get(key)
    if isinstance(found, tuple):  # the memo holds this function's own tuple under its key
        return found
    debts = tuple(dict.fromkeys((*(ctx.debt_ids or (None,)), debt)))
    for each, times in zip(debts, _scan_calls(ctx, debts, person), strict=True):
        ctx.memo.setdefault(("us-call-times", each), times)
    found = ctx.memo[key]
    assert isinstance(found, tuple)
    return found


# a call that is, or may still turn out to be, a telephone conversation (`_conversation`)
_MAY_TALK = counted_values("call", CONVERSATION)


def _scan_calls(
    ctx: Context, debts: tuple[str | None, ...], person: Callable[[Attempt], bool]
) -> list[tuple[list[float], list[float], Span]]:
    """One pass over the history for all `debts`: per debt, as `call_times` says."""
    to_debtor = person is _to_debtor
    foreign = someone_elses_numbers(ctx) if to_debtor else frozenset()
    first = bisect_left(ctx.attempt_times, ctx.at_ts - _lookback_days(ctx) * DAY)
    hits: list[tuple[float, frozenset[str] | None, bool, bool]] = []
    for a in ctx.attempts[first:]:  # inlined tests: the gate's hottest loop
        channel = a.channel
        if channel not in CALLS or not (a.party in DEBTOR_LIKE if to_debtor else person(a)):
            continue
        outcome = a.outcome
        talk = channel == "call" and outcome in _MAY_TALK
        # connected (`common.connected`): every outcome but the surely unconnected ones; not to an
        # attorney, nor to a number found to be someone else's (but a conversation there)
        counts = (a.outbound and outcome not in NOT_CONNECTED and a.party != "attorney"
                  and not (foreign and a.address in foreign and outcome not in CONVERSATION))
        if talk or counts:
            hits.append((a.ts, a.debt_ids, talk, counts))
    return [_per_debt(hits, debt, consent_span(ctx, debt, person)) for debt in debts]


def _per_debt(hits: list[tuple[float, frozenset[str] | None, bool, bool]], debt: str | None, span: Span
              ) -> tuple[list[float], list[float], Span]:
    """The calls to the person about `debt` (no debts named: every debt): the counted ones, unless
    inside the debt's consent span, and the conversations."""
    counted: list[float] = []
    talks: list[float] = []
    for ts, ids, talk, counts in hits:
        if debt is not None and ids and debt not in ids:
            continue
        if talk:
            talks.append(ts)
        if counts and not (span is not None and span[0] <= ts <= span[1]):
            counted.append(ts)
    return counted, talks, span


def someone_elses_numbers(ctx: Context) -> frozenset[str]:
    """Numbers the debtor was called at that turned out to belong to someone else (an attempt
    with outcome `wrong_number` up to now): calls to them are not calls to the debtor (comment
    14(b)(2)(i)-3), except a conversation the debtor had there."""
    found = ctx.memo.get("us-foreign-numbers")
    if isinstance(found, frozenset):
        return found
    at_ts = ctx.at_ts
    numbers = frozenset(
        a.address for a in ctx.attempts  # the outcome first: it rules out almost every entry
        if a.outcome == "wrong_number" and a.address is not None and a.party in DEBTOR_LIKE and a.ts <= at_ts
    )
    ctx.memo["us-foreign-numbers"] = numbers
    return numbers


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
        and (in_cooldown(ctx, d, person, days) or calls_in_week(ctx, d, person) + connected(ctx.proposed) > cap)
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
    if ctx.party == "attorney" or not connected(ctx.proposed):
        return spec.ok()
    times = ctx.attempt_times
    gap_minutes = spec.params["min_gap_minutes"]
    recent = _same_number_calls(ctx, bisect_left(times, ctx.at_ts - gap_minutes * 60), bisect_right(times, ctx.at_ts))
    if recent:
        return spec.act(
            f"{gap_minutes} 分钟内已拨打同一号码（短时间内连续拨打可推翻合规推定）",
            f"The same number was called within {gap_minutes} minutes (calls in rapid succession may "
            "rebut the presumption of compliance)",
        )
    cap = spec.params["max_per_day"]
    count = 1
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, 1)
        found = _same_number_calls(ctx, bisect_left(times, start), bisect_left(times, end))
        count = max(count, found + 1)
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
    channel, person = ctx.channel, same_person(ctx)

    def sent(a: Attempt) -> bool:
        return a.channel == channel and a.outbound and person(a) and connected(a)

    for days, name in ((1, "max_per_day"), (7, "max_per_7_days")):
        cap = spec.params[name]
        count = max_count(ctx, ctx.counting_zones(), days, sent) + 1
        if count > cap:
            return spec.act(
                f"含本次，{days} 天内向此人发送 {channel} 将达 {count} 条，超过政策上限 {cap} 条",
                f"With this one, {count} {channel} messages to this person in {days} day(s) exceed "
                f"the policy cap of {cap}",
            )
    return spec.ok()
