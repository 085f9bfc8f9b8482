"""The calls the US caps count (US-FREQ-01 to -04), found in one pass over the history.

Counted: calls and ringless voicemails that connected (conversation, answered_other,
no_answer, voicemail - a limited-content message left is a call -, dropped). Not counted
(1006.14(b)(3), comments 14(b)-1, 14(b)(2)(i)-3): busy, not_in_service, failed, wrong_number,
calls to an attorney, calls inside a consent window, calls to a number later found to belong to
someone else, texts and e-mails. A call whose outcome is not recorded yet counts as what it could
still become (`history.could_be`): a connected call, and a conversation that starts the 7-day
quiet period.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import cast

from arrears.compliance.context import Context, day_start
from arrears.compliance.history import DEBTOR_LIKE, Attempt, could_be, counted_values
from arrears.compliance.request import zone
from arrears.compliance.rules.common import CALLS, CONVERSATION, NOT_CONNECTED

DAY = 86400.0
Span = tuple[float, float] | None
NO_NUMBERS: frozenset[str] = frozenset()


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


# a person's calls about a debt: the counted ones' times, the conversations' times, the consent span
CallTimes = tuple[Sequence[float], Sequence[float], Span]


def call_times(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> CallTimes:
    """For this person and debt, computed once per request: the times of counted calls (not
    inside the debt's consent span), the times of telephone conversations (both ascending), and
    the consent span."""
    key = ("us-call-times", debt)
    found = ctx.memo.get(key)
    if found is None:
        counted, talks = _calls_about(ctx, debt, person)
        span = consent_span(ctx, debt, person)
        if span is not None:
            counted = tuple([ts for ts in counted if not span[0] <= ts <= span[1]])
        found = ctx.memo[key] = (counted, talks, span)
    return cast(CallTimes, found)


# a call that is, or may still turn out to be, a telephone conversation (`_conversation`)
_MAY_TALK = counted_values("call", CONVERSATION)
Times = tuple[float, ...]


def _calls_about(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> tuple[Times, Times]:
    """The times of the calls to the person about `debt` in the look-back that count, and of the
    conversations (`_count`): worked out once per history, person, debt, numbers found to be
    someone else's and start of the look-back (`Context.history_memo`: the contacts judged
    against one history on one day share them)."""
    memo, first = ctx.history_memo, bisect_left(ctx.attempt_times, _earliest_read(ctx))
    if person is _to_debtor:
        foreign = someone_elses_numbers(ctx)
        key: tuple[object, ...] = ("us-debtor-calls", debt, foreign, first)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _count(ctx.attempts[first:], debt, DEBTOR_LIKE, foreign)
    else:
        key = ("us-person-calls", ctx.party, ctx.address, debt, first)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _count([a for a in ctx.attempts[first:] if person(a)], debt,
                                       frozenset({ctx.party}), NO_NUMBERS)
    return cast(tuple[Times, Times], found)


def _count(entries: Sequence[Attempt], debt: str | None, parties: frozenset[str | None],
           foreign: frozenset[str]) -> tuple[Times, Times]:
    """One pass over the `entries` to one of `parties`: the times of the calls about `debt` (an
    entry naming no debt concerns every debt; no debt named: every entry) that count - connected
    (`common.connected`: every outcome but the surely unconnected ones), not to an attorney, not to
    a number found to be someone else's (`foreign`, but a conversation there) -, and of the
    conversations."""
    counted: list[float] = []
    talks: list[float] = []
    for a in entries:  # tests inlined: the gate's hottest loop
        channel = a.channel
        if channel not in CALLS:  # texts and e-mails first: nothing else to read of them
            continue
        party, ids = a.party, a.debt_ids
        if party not in parties or (ids and debt is not None and debt not in ids):
            continue
        outcome = a.outcome
        if channel == "call" and outcome in _MAY_TALK:
            talks.append(a.ts)
        if a.outbound and outcome not in NOT_CONNECTED and party != "attorney" and (not foreign or _ours(a, foreign)):
            counted.append(a.ts)
    return tuple(counted), tuple(talks)


def _ours(a: Attempt, foreign: frozenset[str]) -> bool:
    """The call does not count against someone else's number (a conversation there does)."""
    return a.address not in foreign or a.outcome in CONVERSATION


def someone_elses_numbers(ctx: Context) -> frozenset[str]:
    """Numbers the debtor was called at that turned out to belong to someone else (an attempt
    with outcome `wrong_number` up to now): calls to them are not calls to the debtor (comment
    14(b)(2)(i)-3), except a conversation the debtor had there."""
    memo = ctx.history_memo
    found = memo.get("us-wrong-numbers")
    if found is None:  # once per history: the attempts that found one, oldest first
        found = memo["us-wrong-numbers"] = [
            a for a in ctx.attempts  # the outcome first: it rules out almost every entry
            if a.outcome == "wrong_number" and a.address is not None and a.party in DEBTOR_LIKE
        ]
    wrong = cast(list[Attempt], found)
    if not wrong:
        return NO_NUMBERS
    if wrong[-1].ts > ctx.at_ts:  # some found after the contact judged
        return frozenset([cast(str, a.address) for a in wrong if a.ts <= ctx.at_ts])
    every = memo.get("us-foreign-numbers")  # every one found by now: the set once per history
    if every is None:
        every = memo["us-foreign-numbers"] = frozenset([a.address for a in wrong])
    return cast(frozenset[str], every)


def _earliest_read(ctx: Context) -> float:
    """The start of the longest window the call times are read over (`most_in_window`: 7 dates,
    or US-FREQ-02's quiet days) in the zone where it starts first: no earlier call counts."""
    quiet = ctx.specs.get("US-FREQ-02")
    days = max(7, quiet.params["quiet_days_after_conversation"] if quiet is not None else 7)
    return min([ctx.window(zone_name, days)[0] for zone_name in ctx.counting_zones()])


def lookback_days_for(quiet_days: int) -> int:
    """The days ``call_times`` reads back, given US-FREQ-02's quiet days (7 calls in 7 days at least)."""
    return max(quiet_days, 7) + 2


def most_in_window(ctx: Context, times: Sequence[float], days: int) -> int:
    best = 0
    for zone_name in ctx.counting_zones():
        start, end = ctx.window(zone_name, days)
        best = max(best, bisect_left(times, end) - bisect_left(times, start))
    return best


def proposed_connected(ctx: Context) -> bool:
    """`common.connected(ctx.proposed)`: the contact judged is, or may still become, connected -
    its outcome (None while proposed) is not a surely unconnected one (the outcome tables,
    tests/unit/compliance/test_outcome_tables.py)."""
    return ctx.outcome not in NOT_CONNECTED


def calls_in_week(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> int:
    return most_in_window(ctx, call_times(ctx, debt, person)[0], 7)


def in_cooldown(ctx: Context, debt: str | None, person: Callable[[Attempt], bool], days: int) -> bool:
    return most_in_window(ctx, call_times(ctx, debt, person)[1], days) > 0


def consent_active(ctx: Context, debt: str | None, person: Callable[[Attempt], bool]) -> bool:
    return _inside(call_times(ctx, debt, person)[2], ctx.at_ts)


