"""A contact log as typed (the ``LogContact`` command), checked before anything is written: the
channel, outcome and party as words of the vocabulary, the outcome fitting the channel (and, for an
inbound call, an answered call), a promise's amount and date (against the customer's own today)
vetted by the arrangements rules, a callback in the future, notes of a bounded length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, TypeVar, overload
from zoneinfo import ZoneInfo

from arrears.adapters.storage.values import from_cents
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.money import MoneyError, parse_typed_amount
from arrears.domain.vocabulary import (
    INBOUND_OUTCOMES_OF_CHANNEL,
    OUTCOMES_OF_CHANNEL,
    Channel,
    Direction,
    Outcome,
    Party,
)
from arrears.services import arrangements
from arrears.services.workbench.context import Workbench, typed_instant
from arrears.services.workbench.errors import InvalidInput
from arrears.services.workbench.principal import Principal

Choice = TypeVar("Choice", bound=StrEnum)
@dataclass(frozen=True)
class LogContact:
    """The command: log what happened on a contact (on a reserved attempt, or reserve it now)."""

    channel: str
    outcome: str
    contact_point_id: str | None = None
    party: str | None = None
    notes: str | None = None
    promise_amount: str | None = None  # decimal text, in the account's currency
    promise_date: date | None = None
    dispute: bool = False
    complaint: bool = False
    callback_at: datetime | None = None
    attempt_id: str | None = None  # from reserve_attempt; None: reserve now, then record
    direction: str = "outbound"


@overload
def _choice(value: str | None, vocabulary: type[Choice], name: str, required: Literal[True] = True) -> Choice: ...
@overload
def _choice(value: str | None, vocabulary: type[Choice], name: str, required: Literal[False]) -> Choice | None: ...
def _choice(value: str | None, vocabulary: type[Choice], name: str, required: bool = True) -> Choice | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} 必填", f"{name} is required", name)
        return None
    try:
        return vocabulary(value)
    except ValueError:
        allowed = ", ".join(v.value for v in vocabulary)
        raise InvalidInput(f"{name} 取值无效：{value}（可选 {allowed}）", f"{name} {value!r} is not one of {allowed}",
                           name) from None


def _promise_cents(entry: LogContact, today: date) -> int | None:
    if not entry.promise_amount and entry.promise_date is None:
        return None
    try:
        amount = parse_typed_amount(str(entry.promise_amount or ""))
    except MoneyError:
        raise InvalidInput("承诺还款金额不是金额（例如 1500 或 1,500.00）", "the promised amount is not an amount "
                           "(such as 1500 or 1,500.00)", "promise_amount") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2 or amount > Decimal("1e12"):  # type: ignore[operator]
        raise InvalidInput("承诺还款金额须为正数，最多两位小数",
                           "a promised amount is positive with at most 2 decimals", "promise_amount")
    if entry.promise_date is None or entry.promise_date < today:
        raise InvalidInput("承诺还款日期须为今天或以后", "the promise date is today or later", "promise_date")
    return int(amount * 100)


def _validate(wb: Workbench, entry: LogContact, customer_today: date
              ) -> tuple[Channel, Outcome, Party | None, int | None, Direction]:
    """The entry's values, checked; a promise date against the customer's own today (their zone)."""
    channel = _choice(entry.channel, Channel, "channel")
    outcome = _choice(entry.outcome, Outcome, "outcome")
    party = _choice(entry.party, Party, "party", required=False)
    direction = _choice(entry.direction, Direction, "direction")
    if direction is Direction.INBOUND:
        _check_inbound(entry, channel, outcome, party)
    elif outcome not in OUTCOMES_OF_CHANNEL[channel]:
        raise InvalidInput("所选结果不适用于这个渠道（例如信函不会占线，语音留言不是有效通话）",
                           "this outcome does not fit the channel (a letter is never busy, a voicemail is no "
                           "conversation)", "outcome")
    cents = _promise_cents(entry, customer_today)
    if cents is not None and outcome != Outcome.CONVERSATION:
        raise InvalidInput("只有与本人有效通话才能记录承诺还款", "a promise needs a conversation with the right party",
                           "outcome")
    callback_at = entry.callback_at
    if callback_at is not None and typed_instant(callback_at, "callback_at", "回电时间", "callback time") <= wb.now():
        raise InvalidInput("回电时间须在将来", "a callback time is in the future", "callback_at")
    if entry.notes and len(entry.notes) > 2000:
        raise InvalidInput("备注最多 2000 字", "notes hold at most 2000 characters", "notes")
    return channel, outcome, party, cents, direction


def _check_inbound(entry: LogContact, channel: Channel, outcome: Outcome, party: Party | None) -> None:
    """An inbound contact is a call the customer (or someone for them) made to us and we answered:
    no reservation, an outcome an answered call can have, and who called, consistent with it."""
    fitting = INBOUND_OUTCOMES_OF_CHANNEL.get(channel)
    if fitting is None:
        raise InvalidInput("来电登记只用于打进来的电话（客户的短信与邮件回复另有记录）",
                           "an inbound contact is a call made to us (replies by text or e-mail are recorded on "
                           "their own)", "channel")
    if outcome not in fitting:
        allowed = ", ".join(fitting)
        raise InvalidInput(f"来电已经接通，结果只能是 {allowed}（不会是无人接听、占线或语音留言）",
                           f"an inbound call was answered: its outcome is one of {allowed} (never no answer, "
                           "busy or a voicemail)", "outcome")
    if entry.attempt_id is not None:
        raise InvalidInput("来电不是外呼尝试，没有预约的联系尝试", "an inbound call is not an outbound attempt: it has "
                           "no reserved attempt_id", "attempt_id")
    if party is None:
        raise InvalidInput("请选择来电人", "say who called (party)", "party")
    if outcome.reached_right_party and party is not Party.DEBTOR:
        raise InvalidInput("有效通话、拒绝沟通或提出争议须是本人来电；他人来电请选择“他人代为来电”",
                           "a conversation, a refusal or a dispute is with the customer; someone else calling is "
                           "answered_other", "party")
    if outcome is Outcome.ANSWERED_OTHER and party is Party.DEBTOR:
        raise InvalidInput("“他人代为来电”的来电人不能是本人", "answered_other means someone other than the "
                           "customer called", "party")


# The workbench form's fields for the promise fields the arrangements rules name, with labels.
_PROMISE_FIELDS = {
    "amount": ("promise_amount", "承诺还款金额", "promise amount"),
    "promised_date": ("promise_date", "承诺还款日期", "promise date"),
}


def _taken_promise(principal: Principal, account: dict[str, Any], *, channel: Channel, cents: int,
                   promised_date: date, now: datetime) -> PromiseToPay:
    """The promise as the arrangements domain holds it, made now, on the customer's business day.
    Its id is given once the contact row is known (``workbench:<contact id>``)."""
    zone = ZoneInfo(account["customer_timezone"])  # read with the account (visible_account)
    return PromiseToPay("workbench:", account["account_id"], from_cents(cents, account["currency"]), promised_date,
                        channel, principal.username, now, now.astimezone(zone).date())


def _refused(refusal: arrangements.ArrangementRefused) -> InvalidInput:
    decision = refusal.decision
    name, zh, en = _PROMISE_FIELDS.get(decision.field, _PROMISE_FIELDS["amount"])
    return InvalidInput(f"{zh}：{decision.reason_zh}（{decision.rule_id}），承诺还款与本次联系结果均未保存",
                        f"{en}: {decision.reason_en} ({decision.rule_id}); neither the promise nor this contact's "
                        "outcome was saved", name)


@dataclass(frozen=True)
class Checked:
    """A contact log as validated: its values, and the promise taken in it (vetted)."""

    channel: Channel
    outcome: Outcome
    party: Party | None
    cents: int | None
    promise: PromiseToPay | None
    direction: Direction = Direction.OUTBOUND


def _checked(wb: Workbench, principal: Principal, account: dict[str, Any], entry: LogContact,
             now: datetime) -> Checked:
    """The entry's values; a promise is vetted by the arrangements rules before anything is written."""
    today = now.astimezone(ZoneInfo(account["customer_timezone"])).date()
    channel, outcome, party, cents, direction = _validate(wb, entry, today)
    promise = None
    if cents is not None and entry.promise_date is not None:
        promise = _taken_promise(principal, account, channel=channel, cents=cents,
                                 promised_date=entry.promise_date, now=now)
        try:
            arrangements.vet_promise(promise)
        except arrangements.ArrangementRefused as refusal:
            raise _refused(refusal) from refusal
    return Checked(channel, outcome, party, cents, promise, direction)
