"""Logging a contact: the gate is asked BEFORE the call (reserve), the outcome recorded after.

A denied reservation is audited (rules and reasons) and raised as ``ContactBlocked``; nothing
is logged as a contact. The compliance status of an account is ``ContactGate.preview`` per
channel, on the contact point that channel would use.

The gate works inside the workbench's transaction: the reserved attempt and the reserved
contact row commit together, and so do the attempt's outcome (which the gate first judges
against the caps, and may refuse: ``ContactBlocked``, nothing written) and the logged
contact, its promise, complaint and callback. A failure anywhere leaves neither half.
Notes are kept only encrypted, with the logged contact; the gate never sees them.

A promise to pay taken in the conversation is recorded through the arrangements use case
(``arrangements.record_promise``: the domain's promise rules, the ``promise.recorded`` audit
entry) in the same transaction as the contact row, with id ``workbench:<contact id>``. The
rules are asked before the attempt is reserved, so a refused promise writes nothing at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal, TypeVar, overload
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, select, update

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import JoinedArrangementsUnitOfWork
from arrears.adapters.storage.values import from_cents
from arrears.adapters.storage.workbench_tables import logged_contacts
from arrears.domain.access import Permission
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.vocabulary import Channel, ContactKind, Direction, Outcome, Party
from arrears.services import arrangements
from arrears.services.contact_gate_port import (
    AttemptClosed,
    AttemptError,
    ContactRequest,
    GateVerdict,
    OutcomeNotPossible,
)
from arrears.services.workbench import audit
from arrears.services.workbench.accounts import visible_account
from arrears.services.workbench.context import Workbench, as_utc, typed_instant
from arrears.services.workbench.errors import Conflict, ContactBlocked, InvalidInput, NotFound
from arrears.services.workbench.followups import add_follow_up_in
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue import check_may_take_work

_KINDS_FOR = {
    Channel.CALL: (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK),
    Channel.VOICEMAIL: (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK),
    Channel.SMS: (ContactKind.MOBILE,),
    Channel.EMAIL: (ContactKind.EMAIL,),
    Channel.LETTER: (ContactKind.POSTAL,),
    Channel.VISIT: (),
}


Choice = TypeVar("Choice", bound=StrEnum)
PointRow = Row[Any, Any, Any, Any, Any]  # contact_point_id, kind, value_masked, owner, status


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    contact_point_id: str | None
    value_masked: str | None
    verdict: GateVerdict


def _points(connection: Connection, customer_id: str) -> Sequence[PointRow]:
    p = t.contact_points.c
    return connection.execute(select(p.contact_point_id, p.kind, p.value_masked, p.owner, p.status)
                              .where(p.customer_id == customer_id, p.in_portfolio.is_(True))
                              .order_by(p.contact_point_id)).all()


def _point_for(points: Sequence[PointRow], channel: Channel) -> PointRow | None:
    fitting = [p for p in points if p.kind in _KINDS_FOR[channel]]
    fitting.sort(key=lambda p: (p.owner != "debtor", p.status != "valid", p.contact_point_id))
    return fitting[0] if fitting else None


def compliance_status(wb: Workbench, principal: Principal, account_id: str) -> list[ChannelStatus]:
    """What may happen now, per channel, and why (the gate's own words)."""
    account = visible_account(wb, principal, account_id)
    with wb.engine.connect() as connection:
        points = _points(connection, account["customer_id"])
    now, statuses = wb.now(), []
    for channel in Channel:
        point = _point_for(points, channel)
        if point is None and channel not in (Channel.VISIT, Channel.LETTER):
            verdict = GateVerdict("deny", ("workbench.no_contact_point",),
                                  (_no_point(channel, principal.language),))
        else:
            verdict = wb.gate.preview(ContactRequest(
                account_id, channel.value, now, point.contact_point_id if point else None, principal.agent_id,
                visitors=(principal.agent_id,) if channel == Channel.VISIT and principal.agent_id else (),
            ), principal.language)
        statuses.append(ChannelStatus(channel.value, point.contact_point_id if point else None,
                                      point.value_masked if point else None, verdict))
    return statuses


def _no_point(channel: Channel, language: str) -> str:
    return f"no contact point for {channel.value}" if language == "en" else f"没有可用于 {channel.value} 的联系方式"


@dataclass(frozen=True)
class ContactLog:
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


def _promise_cents(entry: ContactLog, today: date) -> int | None:
    if not entry.promise_amount and entry.promise_date is None:
        return None
    try:
        amount = Decimal(str(entry.promise_amount or ""))
    except InvalidOperation:
        raise InvalidInput("承诺还款金额不是数字", "the promised amount is not a number", "promise_amount") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2 or amount > Decimal("1e12"):  # type: ignore[operator]
        raise InvalidInput("承诺还款金额须为正数，最多两位小数",
                           "a promised amount is positive with at most 2 decimals", "promise_amount")
    if entry.promise_date is None or entry.promise_date < today:
        raise InvalidInput("承诺还款日期须为今天或以后", "the promise date is today or later", "promise_date")
    return int(amount * 100)


def _validate(wb: Workbench, entry: ContactLog, customer_today: date
              ) -> tuple[Channel, Outcome, Party | None, int | None]:
    """The entry's values, checked; a promise date against the customer's own today (their zone)."""
    channel = _choice(entry.channel, Channel, "channel")
    outcome = _choice(entry.outcome, Outcome, "outcome")
    party = _choice(entry.party, Party, "party", required=False)
    _choice(entry.direction, Direction, "direction")
    cents = _promise_cents(entry, customer_today)
    if cents is not None and outcome != Outcome.CONVERSATION:
        raise InvalidInput("只有与本人有效通话才能记录承诺还款", "a promise needs a conversation with the right party",
                           "outcome")
    callback_at = entry.callback_at
    if callback_at is not None and typed_instant(callback_at, "callback_at", "回电时间", "callback time") <= wb.now():
        raise InvalidInput("回电时间须在将来", "a callback time is in the future", "callback_at")
    if entry.notes and len(entry.notes) > 2000:
        raise InvalidInput("备注最多 2000 字", "notes hold at most 2000 characters", "notes")
    return channel, outcome, party, cents


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


def _check_point(connection: Connection, customer_id: str, channel: Channel, point_id: str | None) -> None:
    if channel in (Channel.VISIT, Channel.LETTER) and point_id is None:
        return  # a visit or a letter goes to the stored address
    p = t.contact_points.c
    kind = connection.execute(select(p.kind).where(p.contact_point_id == (point_id or ""),
                                                   p.customer_id == customer_id)).scalar()
    if kind is None:
        raise InvalidInput("该账户没有这个联系方式", "no such contact point on this account", "contact_point_id")
    if kind not in _KINDS_FOR[channel]:
        raise InvalidInput(f"联系方式类型 {kind} 不能用于 {channel.value}",
                           f"a {kind} contact point cannot be used for {channel.value}", "contact_point_id")


def reserve_attempt(wb: Workbench, principal: Principal, account_id: str, channel: str,
                    contact_point_id: str | None) -> dict[str, Any]:
    """Ask the gate before the call: allowed → the attempt is recorded and its id returned."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    check_may_take_work(wb, principal)
    chosen = _choice(channel, Channel, "channel")
    with wb.engine.connect() as connection:
        _check_point(connection, account["customer_id"], chosen, contact_point_id)
    now = wb.now()
    request = ContactRequest(account_id, chosen.value, now, contact_point_id, principal.agent_id,
                             visitors=(principal.agent_id,) if chosen == Channel.VISIT and principal.agent_id else ())
    contact_id = uuid.uuid4().hex
    with wb.engine.begin() as connection:  # the attempt and the contact row, or neither
        verdict = wb.gate.reserve(request, principal.language, connection=connection)
        if verdict.allowed:
            connection.execute(logged_contacts.insert().values(
                contact_id=contact_id, account_id=account_id, customer_id=account["customer_id"],
                contact_point_id=contact_point_id, channel=chosen.value, direction="outbound", at=now,
                state="reserved", dispute=False, complaint=False, user_id=principal.user_id,
                agent_id=principal.agent_id, agency_id=account["agency_id"],
                attempt_id=verdict.attempt_id or contact_id, pack_versions=",".join(verdict.pack_versions)[:200],
            ))
        else:
            audit.record(connection, now, "contact_blocked", principal, verdict.decision, account_id=account_id,
                         channel=chosen.value, contact_point_id=contact_point_id, rules=list(verdict.rules),
                         reasons=list(verdict.reasons), pack_versions=list(verdict.pack_versions))
    if not verdict.allowed:
        raise ContactBlocked("合规检查不允许这次联系", "the compliance gate does not allow this contact",
                             verdict=verdict)
    return {"attempt_id": verdict.attempt_id or contact_id, "contact_id": contact_id, "verdict": verdict}


def log_contact(wb: Workbench, principal: Principal, account_id: str, entry: ContactLog) -> dict[str, Any]:
    """Record what happened on a reserved attempt (reserving first when no attempt is given)."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    now = wb.now()
    channel, outcome, party, cents = _validate(wb, entry, now.astimezone(ZoneInfo(account["customer_timezone"])).date())
    promise = None
    if cents is not None and entry.promise_date is not None:
        promise = _taken_promise(principal, account, channel=channel, cents=cents,
                                 promised_date=entry.promise_date, now=now)
        try:  # before anything is reserved or written
            arrangements.vet_promise(promise)
        except arrangements.ArrangementRefused as refusal:
            raise _refused(refusal) from refusal
    attempt_id = entry.attempt_id
    if attempt_id is None:
        attempt_id = reserve_attempt(wb, principal, account_id, channel.value, entry.contact_point_id)["attempt_id"]
    k = logged_contacts.c
    with wb.engine.begin() as connection:  # the attempt's outcome and everything logged with it, or nothing
        row = connection.execute(select(k.contact_id, k.state, k.channel).where(
            k.attempt_id == attempt_id, k.account_id == account_id, k.user_id == principal.user_id)).first()
        if row is None:
            raise NotFound("找不到你在该账户上的这次联系尝试", "no such attempt of yours on this account", "attempt_id")
        if row.state != "reserved":
            raise Conflict("这次联系已经记录过结果", "this attempt already has its outcome", "attempt_id")
        if row.channel != channel.value:
            raise InvalidInput("渠道与预约的联系尝试不一致", "the channel differs from the reserved attempt", "channel")
        verdict = _record_outcome(wb, connection, principal, attempt_id, outcome=outcome, party=party)
        if verdict.allowed:
            _write_logged(wb, connection, principal, account_id, contact_id=row.contact_id, entry=entry,
                          outcome=outcome, party=party, cents=cents)
            promise = _record_taken_promise(connection, principal, promise, row.contact_id, now)
        else:
            audit.record(connection, now, "outcome_refused", principal, verdict.decision, account_id=account_id,
                         channel=channel.value, refused_outcome=outcome.value, rules=list(verdict.rules),
                         reasons=list(verdict.reasons), pack_versions=list(verdict.pack_versions))
    if not verdict.allowed:
        rules = ", ".join(verdict.rules)
        raise ContactBlocked(f"记录这个结果会超出合规上限（{rules}），结果与备注均未保存",
                             f"recording this outcome would break a compliance cap ({rules}); the outcome and the "
                             "notes were not saved", "outcome", verdict=verdict)
    return {"contact_id": row.contact_id, "attempt_id": attempt_id, "outcome": outcome.value,
            "promise_amount_cents": cents, "promise_id": promise.promise_id if promise else None,
            "callback_at": entry.callback_at}


def _record_outcome(wb: Workbench, connection: Connection, principal: Principal, attempt_id: str, *,
                    outcome: Outcome, party: Party | None) -> GateVerdict:
    """The gate judges the outcome against the caps and records it, in our transaction."""
    try:
        return wb.gate.record_outcome(attempt_id, outcome.value, party.value if party else None, principal.language,
                                      connection=connection)
    except OutcomeNotPossible:
        raise InvalidInput(f"这次联系的渠道不可能有结果 {outcome.value}",
                           f"an attempt on this channel cannot have the outcome {outcome.value}", "outcome") from None
    except AttemptClosed:
        raise Conflict("这次联系已经记录过结果", "this attempt already has its outcome", "attempt_id") from None
    except AttemptError:
        raise NotFound("找不到这次联系尝试", "no such attempt", "attempt_id") from None


def _write_logged(wb: Workbench, connection: Connection, principal: Principal, account_id: str, *, contact_id: str,
                  entry: ContactLog, outcome: Outcome, party: Party | None, cents: int | None) -> None:
    k = logged_contacts.c
    connection.execute(update(logged_contacts).where(k.contact_id == contact_id).values(
        state="logged", outcome=outcome.value, party=party.value if party else None,
        notes_enc=wb.cipher.encrypt(entry.notes) if entry.notes else None, promise_amount_cents=cents,
        promise_date=entry.promise_date if cents else None,
        dispute=entry.dispute or outcome == Outcome.DISPUTE, complaint=entry.complaint,
        callback_at=as_utc(entry.callback_at),
    ))
    if entry.complaint:
        audit.record(connection, wb.now(), "complaint", principal, account_id=account_id, channel=entry.channel)
    if entry.callback_at is not None:
        add_follow_up_in(wb, connection, principal, account_id, kind="callback", due_at=entry.callback_at,
                         note=entry.notes[:1000] if entry.notes else None)


def _record_taken_promise(connection: Connection, principal: Principal, promise: PromiseToPay | None,
                          contact_id: str, now: datetime) -> PromiseToPay | None:
    if promise is None:
        return None
    promise = replace(promise, promise_id=f"workbench:{contact_id}")
    try:
        arrangements.record_promise(JoinedArrangementsUnitOfWork(connection), promise, actor=principal.username,
                                    now=now)
    except arrangements.ArrangementRefused as refusal:
        raise _refused(refusal) from refusal
    return promise
