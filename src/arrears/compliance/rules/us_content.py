"""US-ESMS-03/04 (bona fide error procedures for e-mail and texts), US-VM-01 (limited-content
voicemails), US-DISC-01 (1006.18(e) disclosures), US-MAIL-01 (postcards and envelopes),
US-VAL-01/02/04 (validation information, its end date, overshadowing)."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from functools import lru_cache

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import CONVERSATION, findings
from arrears.compliance.rules.us_conduct import US_CONSUMERS, consumer_used_address, inbound_times
from arrears.compliance.rules.us_wording import (
    has_mini_miranda,
    overshadows,
    says_debt_collector,
    shows_collection,
)
from arrears.compliance.screening.types import Category

DAY = 86400.0
SHARED_LINES = frozenset({"home", "work"})  # landlines others may hear; a mobile is personal


# ------------------------------------------------------------------ e-mail and text procedures
def email_procedure(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-ESMS-03 (1006.6(d)(3)-(4)): without a documented 6(d)(4) basis - the consumer wrote to
    us from the address or consented directly to it - an e-mail may go, but without the bona fide
    error safe harbor (the creditor-notice (ii) and prior-collector (iii) procedures are not
    recorded here)."""
    if ctx.party not in US_CONSUMERS or consumer_used_address(ctx):
        return spec.ok()
    return spec.acts(_no_email_basis)


def _no_email_basis() -> tuple[str, str]:
    return (
        "该邮箱没有消费者使用或直接同意的记录（1006.6(d)(4)），不享有善意错误安全港",
        "No record that the consumer used or consented to this e-mail address (1006.6(d)(4)): no "
        "bona fide error safe harbor",
    )


def text_procedure(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-ESMS-04 (1006.6(d)(5), comment 6(d)(5)-1): a text has the safe harbor when the consumer
    texted us from the number in the past 60 days, or consented to texts there (`tcpa_consent` or
    `electronic_consents`) and the number was checked against a reassigned-numbers database in the
    past 60 days (`reassigned_number_check_at`). Without it: a caution. The catalogue's "block if
    TCPA consent is also missing" is read as: where the TCPA requires consent (an automated text,
    catalogue US-TCPA-01), which US-TCPA-01 denies. Texts older than the history given are not seen."""
    if ctx.party not in US_CONSUMERS:
        return spec.ok()
    days = spec.params["basis_days"]
    since = ctx.at_ts - days * DAY
    texts = inbound_times(ctx, "sms", ctx.address, debtor_only=True)  # texts from the consumer
    first = bisect_left(texts, since)
    if first < len(texts) and texts[first] <= ctx.at_ts:
        return spec.ok()
    flags = ctx.flags
    consented = bool(flags.tcpa_consent) or bool(
        ctx.address is not None and flags.electronic_consents and ctx.address in flags.electronic_consents
    )
    checked = flags.reassigned_number_check_at
    if consented and checked is not None and since <= checked.timestamp() <= ctx.at_ts:
        return spec.ok()
    return spec.acts(_no_text_basis, days)


def _no_text_basis(days: int) -> tuple[str, str]:
    return (
        f"该号码近 {days} 天内没有消费者来信或经核查未改号的同意记录（1006.6(d)(5)），不享有善意错误安全港",
        f"No text from the consumer, nor consent with a reassigned-number check, for this number in the "
        f"past {days} days (1006.6(d)(5)): no bona fide error safe harbor",
    )


# ------------------------------------------------------------------ voicemail, disclosures, mail
def _beyond_limited_content(ctx: Context) -> bool:
    screening = ctx.screening
    assert screening is not None
    return screening.mentions_debt or bool(screening.findings) or shows_collection(screening.normalized)


def limited_content_voicemail(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-VM-01 (1006.2(j), comments 2(j)-1, -2): a voicemail knowingly left for someone other than
    the consumer is never a limited-content message; a voicemail for the consumer that says more
    than 1006.2(j) allows (a debt, collection words) is a communication, which on a line others
    may hear (home or work landline, or a number of unknown kind) may disclose the debt."""
    if ctx.party == "attorney":
        return spec.ok()
    if ctx.party not in US_CONSUMERS:
        return spec.deny(
            "不得在第三人的号码上留语音信息（为第三人留下的信息不是有限内容信息）",
            "No voicemail left on a third party's number (a message knowingly left for a third party is "
            "not a limited-content message)",
        )
    if ctx.kind not in SHARED_LINES and ctx.kind is not None:
        return spec.ok()
    if ctx.screening is None:
        return spec.review(
            "未提供留言内容：在他人可能收听的线路上只能留有限内容信息",
            "No text given: on a line others may hear, only a limited-content message may be left",
        )
    if _beyond_limited_content(ctx):
        return spec.deny(
            "留言超出有限内容信息（提及债务或催收），且该线路他人可能收听",
            "The voicemail says more than a limited-content message (a debt or collection) on a line "
            "others may hear",
        )
    return spec.ok()


def _communicated_before(ctx: Context) -> bool:
    """A communication with the consumer earlier in the history given: a conversation, or a
    written message or voicemail that was delivered (limited-content voicemails excepted)."""
    for a in ctx.attempts:
        if a.ts >= ctx.at_ts:
            break
        if not a.to_debtor:
            continue
        if a.outcome in CONVERSATION or (
            a.outbound and a.outcome in ("delivered", "voicemail") and a.limited_content is not True
        ):
            return True
    return False


def disclosures(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-DISC-01 (1006.18(e)): a debt collector's communication with the consumer - a text that
    conveys information about the debt; a limited-content message is not one - states in its
    initial communication that it is an attempt to collect a debt and that information obtained
    will be used for that purpose, and in each later one that it is from a debt collector. Judged
    for agencies (`action.agency`): the issuer collecting its own debts is not a debt collector,
    and a creditor saying it is one would mislead. "Initial": no communication in the history
    given."""
    screening = ctx.screening
    if screening is None or ctx.agency is None or ctx.party not in US_CONSUMERS or not screening.mentions_debt:
        return spec.ok()
    text = screening.normalized
    if _communicated_before(ctx):
        if says_debt_collector(text) or has_mini_miranda(text):
            return spec.ok()
        return spec.deny(
            "后续沟通须说明来自债务催收方（from a debt collector）",
            "A later communication must say it is from a debt collector",
        )
    if has_mini_miranda(text):
        return spec.ok()
    return spec.deny(
        "首次沟通须说明这是催收债务，所获信息将用于该目的",
        "The initial communication must say it is an attempt to collect a debt and that any information "
        "obtained will be used for that purpose",
    )


def mail(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-MAIL-01 (1006.22(f)(1)-(2)): no postcard; the envelope shows only the address and a
    business name that does not indicate debt collection (`action.postcard`, `action.envelope`)."""
    if ctx.postcard:
        return spec.deny("不得使用明信片联系", "No communication by postcard")
    if ctx.envelope is not None and shows_collection(ctx.envelope):
        return spec.deny("信封上不得出现表明催收的文字", "The envelope shows language indicating debt collection")
    return spec.ok()


# ------------------------------------------------------------------ validation
def validation_timely(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-VAL-01 (1006.34(a)(1)): the validation information is given in the initial communication
    or within 5 days after it (calendar days, A4)."""
    flags = ctx.flags
    initial = flags.initial_communication_at
    if initial is None or ctx.party not in US_CONSUMERS:
        return spec.ok()
    deadline = initial.timestamp() + spec.params["days"] * DAY
    sent = flags.validation_notice_sent_at
    if sent is not None and sent.timestamp() <= deadline:
        return spec.ok()
    if sent is None and ctx.at_ts <= deadline:
        return spec.ok()
    return spec.act(
        f"首次沟通后 {spec.params['days']} 天内未提供债务确认信息",
        f"The validation information was not provided within {spec.params['days']} days of the initial communication",
    )


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    """The legal public holidays of 5 U.S.C. 6103(a) in `year` (the dates themselves)."""

    def nth(weekday: int, month: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(weekday: int, month: int) -> date:
        end = date(year, month + 1, 1) - timedelta(days=1)
        return end - timedelta(days=(end.weekday() - weekday) % 7)

    days = {
        date(year, 1, 1), nth(0, 1, 3), nth(0, 2, 3), last(0, 5), date(year, 7, 4), nth(0, 9, 1),
        nth(0, 10, 2), date(year, 11, 11), nth(3, 11, 4), date(year, 12, 25),
    }
    if year >= 2021:
        days.add(date(year, 6, 19))
    return frozenset(days)


def earliest_end_date(sent_on: date) -> date:
    """1006.34(b)(5): receipt assumed 5 days after sending, not counting Saturdays, Sundays and
    federal holidays; the validation period ends 30 days after receipt."""
    day, counted = sent_on, 0
    while counted < 5:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in federal_holidays(day.year):
            counted += 1
    return day + timedelta(days=30)


def validation_end_date(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-VAL-02 (1006.34(b)(5), (c)(3)): the end date a validation notice states is not earlier
    than the one computed from its sending date (the latest local date among the consumer's zones)."""
    stated = ctx.validation_end_date
    if stated is None:
        return spec.ok()
    sent_on = ctx.latest_date((*ctx.debtor_zones, "UTC"))
    earliest = earliest_end_date(sent_on)
    if stated >= earliest:
        return spec.ok()
    return spec.deny(
        f"确认期截止日 {stated} 早于按发送日 {sent_on} 计算的 {earliest}",
        f"The validation period end date {stated} is earlier than {earliest}, computed from the sending date {sent_on}",
    )


def overshadowing(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-VAL-04 (1006.38(b)): during the validation period (`validation_period_ends`), a text
    with a short deadline or urgency may overshadow the right to dispute: reviewed."""
    ends = ctx.flags.validation_period_ends
    screening = ctx.screening
    if ends is None or screening is None or ctx.latest_date((*ctx.debtor_zones, "UTC")) > ends:
        return spec.ok()
    if not findings(ctx, frozenset({Category.PRESSURE})) and not overshadows(screening.normalized):
        return spec.ok()
    return spec.review(
        f"确认期（至 {ends}）内，限期或催促性措辞可能影响消费者的争议权利",
        f"During the validation period (to {ends}) a deadline or urgent wording may overshadow the right to dispute",
    )
