"""CN-3P-01/02/03: third parties only when the debtor is lost, only to locate or relay,
never mentioning the debt, never to someone who asked not to be contacted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from arrears.compliance.context import CN_HOME_ZONE, Context
from arrears.compliance.history import Attempt, could_be, surely
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.request import zone
from arrears.compliance.rules.common import CALLS, CONVERSATION, INVALID_NUMBER, WRITTEN, listed_address

# The debtor and the guarantor are collected from; the debtor's attorney speaks for them.
CN_FIRST_PARTIES = frozenset({"debtor", "guarantor", "attorney"})


def is_third_party(ctx: Context) -> bool:
    return ctx.party not in CN_FIRST_PARTIES


def third_party_content(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not is_third_party(ctx):
        return spec.ok()
    if ctx.purpose == "collection":
        return spec.deny("不得向第三人催收", "No collection from a third party")
    screening = ctx.screening
    if screening is not None:
        if screening.mentions_debt:
            return spec.deny(
                "发给第三人的内容透露了债务信息", "The text to a third party discloses the debt"
            )
        return spec.ok()
    if ctx.channel in WRITTEN:
        return spec.review(
            "发给第三人的书面内容未提供，无法确认未透露债务信息",
            "No text given for a written contact with a third party; cannot confirm the debt "
            "is not disclosed",
        )
    return spec.warn(
        "联系第三人时只可询问联系方式或请其转告，不得透露债务信息",
        "With a third party, only ask for contact details or to relay a message; never "
        "mention the debt",
    )


def _reached(attempt: Attempt) -> bool:
    """The debtor was, or may have been, reached: a conversation (or an attempt whose outcome is
    not recorded yet, which may be one), or the debtor contacted us. Only attempts known to
    have failed can show that the debtor is lost."""
    return attempt.to_debtor and (not attempt.outbound or could_be(attempt, CONVERSATION))


def _local_date(attempt: Attempt) -> date:
    return datetime.fromtimestamp(attempt.ts, zone(CN_HOME_ZONE)).date()


def _has_run_of_days(days: list[date], length: int) -> bool:
    run, previous = 0, None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        if run >= length:
            return True
        previous = day
    return False


def _failed_since_reached(ctx: Context) -> list[Attempt]:
    """The calls to the debtor up to ``at`` since the debtor was last (maybe) reached."""
    since = [a for a in ctx.attempts if a.ts <= ctx.at_ts]
    for index in range(len(since) - 1, -1, -1):
        if _reached(since[index]):
            since = since[index + 1 :]
            break
    return [a for a in since if a.outbound and a.to_debtor and a.channel in CALLS]


def lost_contact_reason(ctx: Context, spec: RuleSpec) -> tuple[str, str] | None:
    """Why the debtor counts as lost (失联), or None when they do not."""
    flags = ctx.flags
    if flags.deceased:
        return "债务人已身故", "the debtor has died"
    if flags.lost_contact:
        return "债务人已标记为失联", "the debtor is marked as lost contact"
    failed = _failed_since_reached(ctx)
    if any(surely(a, INVALID_NUMBER) for a in failed):
        return "债务人号码无效（空号或非本人）", "the debtor's number is invalid"
    today = ctx.today(CN_HOME_ZONE)
    needed = spec.params["consecutive_failed_attempts"]
    if len(failed) >= needed and _local_date(failed[needed - 1]) < today:
        return (
            f"连续 {needed} 次联系未成功，且已过当日",
            f"the day after {needed} consecutive failed attempts",
        )
    days = spec.params["consecutive_unreachable_days"]
    if _has_run_of_days([_local_date(a) for a in failed], days):
        return f"连续 {days} 日联系不上", f"{days} consecutive days unreachable"
    return None


def lost_contact_only(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not is_third_party(ctx):
        return spec.ok()
    if lost_contact_reason(ctx, spec) is not None:
        return spec.ok()
    return spec.deny(
        "债务人未失联，不得联系第三人（仅失联时可为获取联系方式或转告而联系）",
        "The debtor is not lost; a third party may be contacted only when the debtor is lost, "
        "to locate them or relay a message",
    )


def third_party_do_not_contact(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.party == "debtor" or ctx.address is None:
        return spec.ok()
    if listed_address(ctx.address, ctx.flags.third_party_do_not_contact):
        return spec.deny(
            "该第三人已要求不再联系", "This third party asked not to be contacted again"
        )
    return spec.ok()
