"""US-3P-02 (what a location contact may say) and US-3P-03 (once per person), 12 CFR 1006.10
and 15 U.S.C. 1692b.

A location contact is a contact with a person who is not the consumer (1006.6(a): the debtor,
spouse, guarantor) nor the consumer's attorney, whose purpose is not collection (US-3P-01
denies collection with third parties): `purpose: location`, or no purpose given.
"""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.history import Attempt, could_be
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CONVERSATION
from arrears.compliance.rules.us_conduct import US_CONSUMERS
from arrears.compliance.rules.us_wording import (
    names_an_employer,
    shows_collection,
    states_location_purpose,
)

# What makes an earlier contact with the person a communication for 1006.10(c): something was
# said or left. A conversation (also a refusal or a dispute), someone answering, a call cut off
# after it was answered, a voicemail (left for a third party it is never a limited-content
# message, comment 2(j)-2), a text, e-mail or letter delivered - or an attempt whose outcome is
# not known yet and may be any of these. Not: no answer, busy, a dead or wrong number, a bounce.
COMMUNICATED = frozenset({*CONVERSATION, "answered_other", "dropped", "voicemail", "delivered"})


def is_location_contact(ctx: Context) -> bool:
    return ctx.party not in US_CONSUMERS and ctx.party != "attorney" and ctx.purpose != "collection"


def _same_person(ctx: Context) -> tuple[str, str | None]:
    return ctx.party, ctx.address


def location_content(ctx: Context, spec: RuleSpec) -> RuleResult:
    """1006.10(b): the caller gives an individual name and says they are confirming or correcting
    location information; names the employer only if asked; never says the consumer owes a debt;
    no postcard; no collection language or symbol on the envelope or in a letter."""
    if not is_location_contact(ctx):
        return spec.ok()
    if ctx.channel == "letter" and ctx.postcard:
        return spec.deny("位置查询不得使用明信片", "A location communication may not be sent by postcard")
    if ctx.envelope is not None and shows_collection(ctx.envelope):
        return spec.deny(
            "位置查询的信封上不得出现表明催收的文字或符号",
            "The envelope of a location letter shows collection language",
        )
    screening = ctx.screening
    if screening is None:
        if ctx.channel in ("call", "visit"):
            return spec.warn(
                "位置查询：只说明本人姓名及在核实联系信息，不得提及债务，经询问方可说明公司名称",
                "Location call: give your own name, say you are confirming or correcting location "
                "information, never mention a debt, name the employer only if asked",
            )
        return spec.review(
            "未提供发给第三人的内容，无法确认符合位置查询的要求",
            "No text given for the contact with a third party: cannot confirm it is a proper location "
            "communication",
        )
    normalized = screening.normalized
    if screening.mentions_debt or shows_collection(normalized):
        return spec.deny(
            "位置查询内容不得表明消费者欠债或与催收有关",
            "A location communication may not say a debt is owed or that it is about collection",
        )
    if names_an_employer(normalized) and ctx.location_follow_up is None:
        return spec.deny(
            "位置查询只有在对方明确询问时才可说明所属公司",
            "A location communication names the caller's employer, which it may do only if expressly asked",
        )
    if not states_location_purpose(normalized):
        return spec.review(
            "位置查询须说明是在核实或更正消费者的联系信息",
            "A location communication must say it is confirming or correcting location information",
        )
    return spec.ok()


def _communicated(a: Attempt, party: str, address: str | None) -> bool:
    if a.party != party or (address is not None and a.address != address):
        return False
    return a.outbound and could_be(a, COMMUNICATED)


def _asked_again(attempts: tuple[Attempt, ...], after: float, party: str, address: str | None) -> bool:
    """The person contacted us (inbound) after our last communication: a request to talk again."""
    return any(
        not a.outbound and a.ts > after and a.party == party and (address is None or a.address == address)
        for a in attempts
    )


def location_once(ctx: Context, spec: RuleSpec) -> RuleResult:
    """1006.10(c): no more than one communication with a person for location information, unless
    the person asks for another (`location_follow_up: requested`, or the person contacted us
    since) or the collector reasonably believes the earlier answer was wrong or incomplete and the
    person now has correct information (`location_follow_up: earlier_answer_wrong`). Unanswered
    attempts are not communications and do not use the one. Reads all the history given."""
    if not is_location_contact(ctx):
        return spec.ok()
    party, address = _same_person(ctx)
    last = None
    for attempt in ctx.attempts:
        if attempt.ts <= ctx.at_ts and _communicated(attempt, party, address):
            last = attempt.ts
    if last is None:
        return spec.ok()
    if ctx.location_follow_up is not None:
        reason = "对方要求再次联系" if ctx.location_follow_up == "requested" else "有理由相信对方先前的答复有误或不完整"
        reason_en = (
            "the person asked to be contacted again" if ctx.location_follow_up == "requested"
            else "the earlier answer is reasonably believed wrong or incomplete"
        )
        return spec.warn(
            f"再次联系同一第三人查询位置：{reason}", f"Second location contact with this person: {reason_en}"
        )
    if _asked_again(ctx.attempts, last, party, address):
        return spec.warn(
            "再次联系同一第三人查询位置：对方在上次沟通后主动联系了我们",
            "Second location contact with this person: they contacted us after the last communication",
        )
    return spec.deny(
        "已就位置信息与此第三人沟通过一次；除非对方要求或有理由相信其答复有误，不得再次联系",
        "This person was already communicated with once for location information; no second "
        "communication unless they ask or their earlier answer is reasonably believed wrong",
    )
