"""Shared vocabulary and helpers for the rule functions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import datetime, time
from functools import lru_cache

from arrears.compliance.context import Context
from arrears.compliance.history import Attempt, surely
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.screening.types import Category, Finding, Severity

Rule = Callable[[Context, RuleSpec], RuleResult]

# Outcome sets the counters ask about. An entry counts when it is, or may still turn out to be,
# one of them (`history.could_be`): an entry whose outcome is not known yet counts as every
# outcome its channel could still have (`history.may_be`, the one place that decides).

# outcomes that are a conversation with the person reached (refused/dispute are said in one)
CONVERSATION = frozenset({"conversation", "refused", "dispute"})
# not connected to the dialled number (comment 14(b)(3)(ii)-1) or not the person's number
NOT_CONNECTED = frozenset({"busy", "not_in_service", "failed", "wrong_number", "bounced"})
# number proven invalid for the debtor (CN lost-contact trigger)
INVALID_NUMBER = frozenset({"not_in_service", "wrong_number"})
# CN: a dial the debtor did not answer (A11)
UNANSWERED = frozenset({"no_answer", "busy", "voicemail"})
CALLS = frozenset({"call", "voicemail"})
WORK_KINDS = frozenset({"work", "work_email"})
WRITTEN = frozenset({"sms", "email", "letter"})


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def same_address(listed: str, address: str) -> bool:
    """``listed`` (an opt-out or do-not-contact entry) names ``address``, however either is written:
    e-mail addresses without regard to case, phone numbers by their digits, a national number
    matching the same number with its country code (``(212) 555-0100`` is ``+12125550100``).
    It errs toward a match: a false one only withholds a contact."""
    if listed == address:
        return True
    if "@" in listed or "@" in address:
        return listed.strip().casefold() == address.strip().casefold()
    short, long = sorted((_digits(listed), _digits(address)), key=len)
    return len(short) >= 7 and long.endswith(short)


def listed_address(address: str | None, listed: Iterable[str] | None) -> str | None:
    """The entry of ``listed`` that names ``address`` (``same_address``), if any."""
    if address is None or not listed:
        return None
    return next((item for item in listed if same_address(item, address)), None)


REPLY_DAYS = 7  # a reply to a contact the consumer initiated: within this many days of it
_MEDIUM = {"voicemail": "call"}  # a voicemail is the call medium; every other channel is its own


def replies_once(ctx: Context, *, same_medium: bool) -> bool:
    """The contact is the one reply to a contact the consumer initiated (comments 6(b)(1)-2,
    6(b)(2)-1): the latest contact with the debtor before it (on the contact's medium, when
    ``same_medium``) is one they made, at most ``REPLY_DAYS`` ago, and nothing went to them since.
    A STOP reply (``replied_stop``) is not such a contact."""
    medium = _MEDIUM.get(ctx.channel, ctx.channel)
    for attempt in reversed(ctx.attempts):
        if attempt.ts > ctx.at_ts or not attempt.to_debtor:
            continue
        if same_medium and _MEDIUM.get(attempt.channel, attempt.channel) != medium:
            continue
        if not attempt.outbound and listed_address(attempt.address, ctx.flags.replied_stop):
            return False  # a STOP reply asks for less contact, not for an answer
        return not attempt.outbound and ctx.at_ts - attempt.ts <= REPLY_DAYS * 86_400
    return False


def connected(attempt: Attempt) -> bool:
    """The attempt reached the number or address, or may still turn out to have (caps count it)."""
    return not surely(attempt, NOT_CONNECTED)


@lru_cache(maxsize=64)
def clock(text: str) -> time:
    return time.fromisoformat(text)


def inside(local: datetime, start: time, end: time) -> bool:
    """Strictly between start and end (A1: both boundary instants are outside)."""
    return start < local.time() < end


def in_clock_range(local: datetime, start: time, end: time) -> bool:
    """[start, end) on the local clock; overnight when start > end."""
    now = local.time()
    return start <= now < end if start <= end else now >= start or now < end


def max_count(
    ctx: Context, zones: Iterable[str], days: int, match: Callable[[Attempt], bool]
) -> int:
    """The largest count, over zones, of matching attempts in the last `days` local dates."""
    best = 0
    attempts, times = ctx.attempts, ctx.attempt_times
    for zone_name in zones:
        start, end = ctx.window(zone_name, days)
        first, last = bisect_left(times, start), bisect_left(times, end)
        count = 0
        for index in range(first, last):
            if match(attempts[index]):
                count += 1
        best = max(best, count)
    return best


def _outbound_to_debtor(attempt: Attempt) -> bool:
    return attempt.outbound and attempt.to_debtor


def touch_cap(param: str, zones: Callable[[Context], Iterable[str]], days: int, zh: str, en: str) -> Rule:
    """A policy cap (``spec.params[param]``) on outbound contacts to the debtor in the last `days`
    local dates, this one included, counted in the strictest of `zones(ctx)`. Over the cap the
    rule's action applies, saying why: `zh` and `en` are templates of ``{count}`` and ``{cap}``."""

    def rule(ctx: Context, spec: RuleSpec) -> RuleResult:
        if not ctx.to_debtor:
            return spec.ok()
        cap = spec.params[param]
        count = max_count(ctx, zones(ctx), days, _outbound_to_debtor) + 1
        if count <= cap:
            return spec.ok()
        return spec.act(zh.format(count=count, cap=cap), en.format(count=count, cap=cap))

    return rule


def findings(ctx: Context, categories: frozenset[Category]) -> tuple[Finding, ...]:
    screening = ctx.screening
    if screening is None or not screening.findings:
        return ()
    return tuple(f for f in screening.findings if f.category in categories)


def quoted(found: tuple[Finding, ...]) -> str:
    return "、".join(dict.fromkeys(f"「{f.excerpt}」" for f in found))


def quoted_en(found: tuple[Finding, ...]) -> str:
    return ", ".join(dict.fromkeys(f'"{f.excerpt}"' for f in found))


def text_rule(
    categories: Iterable[Category],
    topic_zh: str,
    topic_en: str,
    *,
    gate: Callable[[Context], bool] | None = None,
    always_deny: bool = False,
) -> Rule:
    """A message-text rule fed by the screening's findings in `categories`.

    Ungated: a HIGH finding gets the rule's action, a MEDIUM one at most review.
    Gated (legal-action words): review when `gate(ctx)` says the action is authorized, else deny.
    """
    wanted = frozenset(categories)

    def rule(ctx: Context, spec: RuleSpec) -> RuleResult:
        found = findings(ctx, wanted)
        if not found:
            return spec.ok()
        zh = f"信息含有{topic_zh}内容：{quoted(found)}"
        en = f"The message contains {topic_en}: {quoted_en(found)}"
        if gate is not None:
            if gate(ctx):
                return spec.review(
                    zh + "（已获授权，须人工审核措辞）", en + " (authorized; wording reviewed)"
                )
            return spec.deny(zh + "（未获相应授权）", en + " (not authorized)")
        if always_deny or any(f.severity is Severity.HIGH for f in found):
            return spec.act(zh, en)
        return spec.review(zh, en)

    return rule
