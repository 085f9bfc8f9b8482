"""Logging a contact (the ``LogContact`` command): the gate is asked BEFORE the call (reserve),
the outcome recorded after.

A denied reservation is audited (rules and reasons) and raised as ``ContactBlocked``; nothing
is logged as a contact. The compliance status of an account is ``ContactGate.preview`` per
channel (``channel_status``).

One row a contact, in the one attempts ledger (``contact_attempts``): the gate reserves the
attempt inside the workbench's transaction and the workbench adds who logs it; the outcome
(which the gate first judges against the caps, and may refuse: ``ContactBlocked``, nothing
written), what was logged with it, its promise, complaint and callback commit together.
Logging a call with no reservation reserves it in the same transaction: the reservation, the
outcome, both gate decisions and the promise commit together or not at all. Notes are kept
only encrypted (``_logged``: the one place they are encrypted); the gate never sees them.

An inbound call (``direction`` inbound: the customer called us) is not an outbound attempt: it is
not reserved through the gate, since the outbound caps, hours and cease rules forbid calling the
customer, never answering them. It is a row of the same ledger, direction inbound, with its
outcome at once (one an answered call can have: ``INBOUND_OUTCOMES_OF_CHANNEL``), who logged it
and who called, audited (``inbound_contact``), its promise, callback and complaint in the same
transaction. The gate's history reads it as inbound: no outbound cap counts it, and the rules
that look at contacts from the customer see it.

A promise to pay taken in the conversation is recorded through the arrangements use case
(``arrangements.record_promise``: the domain's promise rules, the ``promise.recorded`` audit
entry) in the same transaction, with id ``workbench:<contact id>``. The rules are asked
before the attempt is reserved, so a refused promise writes nothing at all. A promise date is
checked against the customer's own today, in their zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import JoinedArrangementsUnitOfWork
from arrears.adapters.storage.contacts_repository import JoinedContactsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.access import Permission
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.contacts import Attempt, Logged
from arrears.domain.vocabulary import (
    Channel,
    Direction,
    Outcome,
    Party,
)
from arrears.services import arrangements
from arrears.services.contacts.ports import (
    AttemptClosed,
    AttemptError,
    ContactGate,
    ContactLedger,
    ContactRequest,
    GateVerdict,
    OutcomeNotPossible,
)
from arrears.services.dialer.calls import collector_in
from arrears.services.workbench import audit
from arrears.services.workbench.accounts import account_row, visible_account
from arrears.services.workbench.channel_status import _KINDS_FOR, ChannelStatus, compliance_status
from arrears.services.workbench.contact_entry import Checked, LogContact, _checked, _choice, _refused
from arrears.services.workbench.context import Workbench, as_utc
from arrears.services.workbench.errors import Conflict, ContactBlocked, InvalidInput, NotFound
from arrears.services.workbench.followups import add_follow_up_in
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue import check_may_take_work, check_may_take_work_in

__all__ = ["ChannelStatus", "LogContact", "compliance_status", "log_contact", "reserve_attempt"]

_p = t.contact_points.c
_POINT = select(_p.kind, _p.status, _p.do_not_contact).where(  # built once: every reservation reads it
    _p.contact_point_id == bindparam("point_id"), _p.customer_id == bindparam("customer_id"))


def _check_point(connection: Connection, customer_id: str, channel: Channel, point_id: str | None) -> None:
    if channel in (Channel.VISIT, Channel.LETTER) and point_id is None:
        return  # a visit or a letter goes to the stored address
    point = connection.execute(_POINT, {"point_id": point_id or "", "customer_id": customer_id}).first()
    check_point(point, channel)


def check_point(point: Any, channel: Channel) -> None:
    """May ``channel`` use the customer's contact ``point`` (None: not theirs)? InvalidInput if not."""
    if point is None:
        raise InvalidInput("该账户没有这个联系方式", "no such contact point on this account", "contact_point_id")
    kind = point.kind
    if point.do_not_contact or point.status == "invalid":  # as the page offers it: not at all
        raise InvalidInput("该联系方式已标记为勿联系或错误号码，不能使用",
                           "this contact point is marked do-not-contact or wrong and cannot be used",
                           "contact_point_id")
    if kind not in _KINDS_FOR[channel]:
        raise InvalidInput(f"联系方式类型 {kind} 不能用于 {channel.value}",
                           f"a {kind} contact point cannot be used for {channel.value}", "contact_point_id")


@dataclass(frozen=True)
class Reserved:
    """A reservation: the gate's verdict, and the attempt and contact ids when it allowed it."""

    verdict: GateVerdict
    attempt_id: str | None = None
    contact_id: str | None = None


class ReservingUnit(Protocol):
    """Where a reservation is made: the gate's ``reserve`` and the ledger in the caller's
    transaction, and the access audit's ``audit`` (written at once, or with the batch)."""

    @property
    def ledger(self) -> ContactLedger: ...
    def reserve(self, request: ContactRequest, language: str) -> GateVerdict: ...
    def audit(self, row: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class OneReservation:
    """A single reservation: the workbench's gate on the caller's connection."""

    gate: ContactGate
    contacts: JoinedContactsUnitOfWork

    @property
    def ledger(self) -> ContactLedger:
        return self.contacts.ledger

    def reserve(self, request: ContactRequest, language: str) -> GateVerdict:
        return self.gate.reserve(request, language, connection=self.contacts.connection)

    def audit(self, row: dict[str, Any]) -> None:
        audit.write(self.contacts.connection, [row])


def reserve_in(unit: ReservingUnit, principal: Principal, account: dict[str, Any], *,
               channel: Channel, point_id: str | None, now: datetime) -> Reserved:
    """The gate's reservation in the caller's transaction; the attempt carries who logs it. A
    refusal is audited here (the caller commits it, then raises ``ContactBlocked``)."""
    request = ContactRequest(account["account_id"], channel.value, now, point_id, principal.agent_id,
                             visitors=(principal.agent_id,) if channel == Channel.VISIT and principal.agent_id else ())
    verdict = unit.reserve(request, principal.language)
    if not verdict.allowed:
        unit.audit(audit.entry(now, "contact_blocked", principal, verdict.decision,
                               account_id=account["account_id"], channel=channel.value, contact_point_id=point_id,
                               rules=list(verdict.rules), reasons=list(verdict.reasons),
                               pack_versions=list(verdict.pack_versions)))
        return Reserved(verdict)
    contact_id = uuid.uuid4().hex
    attempt_id = verdict.attempt_id or contact_id
    logged = Logged(contact_id, principal.user_id, pack_versions=",".join(verdict.pack_versions)[:200])
    if not unit.ledger.log(attempt_id, logged):  # a gate that keeps no ledger here: the attempt is ours to add
        unit.ledger.add(Attempt(attempt_id, account["account_id"], account["customer_id"], point_id, None,
                                channel.value, "debtor", now, principal.agent_id, account["agency_id"], False,
                                "collection", logged=logged))
    return Reserved(verdict, attempt_id, contact_id)


def _blocked(verdict: GateVerdict) -> ContactBlocked:
    return ContactBlocked("合规检查不允许这次联系", "the compliance gate does not allow this contact", verdict=verdict)


def _prepare(wb: Workbench, principal: Principal, account: dict[str, Any], channel: Channel,
             point_id: str | None) -> None:
    check_may_take_work(wb, principal)
    with wb.engine.connect() as connection:
        _check_point(connection, account["customer_id"], channel, point_id)


def reserve_attempt(wb: Workbench, principal: Principal, account_id: str, channel: str,
                    contact_point_id: str | None) -> dict[str, Any]:
    """Ask the gate before the call: allowed → the attempt is recorded and its id returned."""
    with wb.engine.begin() as connection:  # one connection: the checks, then the attempt and who logs it, or neither
        reserved = _reserve_checked(wb, connection, principal, account_id, channel=channel,
                                    contact_point_id=contact_point_id)
    return _reserved(reserved)


def reserve_attempt_for(wb: Workbench, agent_id: str, account_id: str, channel: str, contact_point_id: str | None,
                        *, language: str) -> dict[str, Any]:
    """``reserve_attempt`` for the collector with ``agent_id`` (a dialer's call: ``dialer.calls.collector``),
    found on the reservation's own connection."""
    with wb.engine.begin() as connection:
        principal = replace(collector_in(connection, agent_id), language=language)
        reserved = _reserve_checked(wb, connection, principal, account_id, channel=channel,
                                    contact_point_id=contact_point_id)
    return _reserved(reserved)


def _reserved(reserved: Reserved) -> dict[str, Any]:
    if reserved.attempt_id is None:
        raise _blocked(reserved.verdict)
    return {"attempt_id": reserved.attempt_id, "contact_id": reserved.contact_id, "verdict": reserved.verdict}


def _reserve_checked(wb: Workbench, connection: Connection, principal: Principal, account_id: str, *, channel: str,
                     contact_point_id: str | None) -> Reserved:
    """The checks of ``reserve_attempt`` (role, scope, qualification, contact point), then the reservation, on
    ``connection`` (the caller's transaction)."""
    principal.require(Permission.LOG_CONTACT)
    principal.require(Permission.VIEW_ACCOUNTS)
    account = account_row(connection, principal, account_id)
    chosen = _choice(channel, Channel, "channel")
    check_may_take_work_in(wb, connection, principal)
    _check_point(connection, account["customer_id"], chosen, contact_point_id)
    return reserve_in(OneReservation(wb.gate, JoinedContactsUnitOfWork(connection, wb.cipher)), principal, account,
                      channel=chosen, point_id=contact_point_id, now=wb.now())


def _reserved_attempt(contacts: JoinedContactsUnitOfWork, principal: Principal, account_id: str,
                      attempt_id: str, channel: Channel) -> Attempt:
    attempt = contacts.ledger.get(attempt_id)
    if (attempt is None or attempt.logged is None or attempt.account_id != account_id
            or attempt.logged.logged_by != principal.user_id):
        raise NotFound("找不到你在该账户上的这次联系尝试", "no such attempt of yours on this account", "attempt_id")
    if attempt.outcome is not None:
        raise Conflict("这次联系已经记录过结果", "this attempt already has its outcome", "attempt_id")
    if attempt.channel != channel.value:
        raise InvalidInput("渠道与预约的联系尝试不一致", "the channel differs from the reserved attempt", "channel")
    return attempt


def log_contact(wb: Workbench, principal: Principal, account_id: str, entry: LogContact) -> dict[str, Any]:
    """Record what happened on a reserved attempt, reserving first when no attempt is given: one
    transaction (the reservation, the outcome, the decisions' audit, the promise), or nothing."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    now = wb.now()
    checked = _checked(wb, principal, account, entry, now)
    if checked.direction is Direction.INBOUND:
        return _log_inbound(wb, principal, account, entry, checked=checked, now=now)
    if entry.attempt_id is None:
        _prepare(wb, principal, account, checked.channel, entry.contact_point_id)
    with wb.engine.begin() as connection:
        contacts = JoinedContactsUnitOfWork(connection, wb.cipher)
        reserved = Reserved(GateVerdict("allow"), entry.attempt_id)
        if reserved.attempt_id is None:
            reserved = reserve_in(OneReservation(wb.gate, contacts), principal, account, channel=checked.channel,
                                  point_id=entry.contact_point_id, now=now)
        verdict, logged = reserved.verdict, None
        if reserved.attempt_id is not None:
            attempt = _reserved_attempt(contacts, principal, account_id, reserved.attempt_id, checked.channel)
            verdict, logged = _record(wb, contacts, principal, attempt, entry=entry, checked=checked, now=now)
    if reserved.attempt_id is None:
        raise _blocked(verdict)
    if logged is None:
        rules = ", ".join(verdict.rules)
        raise ContactBlocked(f"记录这个结果会超出合规上限（{rules}），结果与备注均未保存",
                             f"recording this outcome would break a compliance cap ({rules}); the outcome and the "
                             "notes were not saved", "outcome", verdict=verdict)
    return {"contact_id": logged.contact_id, "attempt_id": reserved.attempt_id, "outcome": checked.outcome.value,
            "promise_amount_cents": checked.cents, "promise_id": logged.promise_id, "callback_at": entry.callback_at,
            "direction": Direction.OUTBOUND.value}


def _inbound_point(connection: Connection, customer_id: str, point_id: str | None) -> str | None:
    """The keyed hash of the number the customer called from, when it is one of theirs (none given:
    none). A do-not-contact or wrong mark does not matter: it forbids calling the number, not
    answering it."""
    if point_id is None:
        return None
    p = t.contact_points.c
    point = connection.execute(select(p.kind, p.value_hash).where(
        p.contact_point_id == point_id, p.customer_id == customer_id)).first()
    if point is None:
        raise InvalidInput("该账户没有这个联系方式", "no such contact point on this account", "contact_point_id")
    if point.kind not in _KINDS_FOR[Channel.CALL]:
        raise InvalidInput(f"联系方式类型 {point.kind} 不是电话号码", f"a {point.kind} contact point is not a phone "
                           "number", "contact_point_id")
    return str(point.value_hash)


def _log_inbound(wb: Workbench, principal: Principal, account: dict[str, Any], entry: LogContact, *,
                 checked: Checked, now: datetime) -> dict[str, Any]:
    """An inbound call: not an attempt of ours, so not reserved through the gate (the outbound caps,
    hours and a cease forbid calling the customer, never answering them), but one row of the one
    ledger, direction inbound, its outcome at once, with who logged it; the audit entry, the
    promise, the callback and a complaint in the same transaction, or nothing."""
    check_may_take_work(wb, principal)
    account_id, customer_id = account["account_id"], account["customer_id"]
    assert checked.party is not None  # _check_inbound: who called is always said
    party = checked.party.value
    with wb.engine.begin() as connection:
        address_hash = _inbound_point(connection, customer_id, entry.contact_point_id)
        contacts = JoinedContactsUnitOfWork(connection, wb.cipher)
        contacts.ledger.lock(customer_id)  # the debtor's ledger has one writer at a time, as in the gate
        contact_id = uuid.uuid4().hex
        logged = _logged(wb, Logged(contact_id, principal.user_id), entry, checked)
        contacts.ledger.add(Attempt(contact_id, account_id, customer_id, entry.contact_point_id, address_hash,
                                    checked.channel.value, party, now, principal.agent_id, account["agency_id"], False,
                                    "collection", checked.outcome.value, party, now, logged))
        audit.record(connection, now, "inbound_contact", principal, account_id=account_id, contact_id=contact_id,
                     channel=checked.channel.value, contact_outcome=checked.outcome.value, party=party,
                     contact_point_id=entry.contact_point_id, promise=checked.cents is not None,
                     callback=entry.callback_at is not None, complaint=entry.complaint)
        _follow_ups(wb, connection, principal, account_id, entry)
        promise = _record_taken_promise(connection, principal, checked.promise, contact_id, now)
    return {"contact_id": contact_id, "attempt_id": contact_id, "outcome": checked.outcome.value,
            "promise_amount_cents": checked.cents, "promise_id": promise.promise_id if promise else None,
            "callback_at": entry.callback_at, "direction": Direction.INBOUND.value}


@dataclass(frozen=True)
class Recorded:
    contact_id: str
    promise_id: str | None


def _record(wb: Workbench, contacts: JoinedContactsUnitOfWork, principal: Principal, attempt: Attempt, *,
            entry: LogContact, checked: Checked, now: datetime) -> tuple[GateVerdict, Recorded | None]:
    """The gate judges the outcome; allowed: it is stored with what was logged, in our transaction."""
    verdict = _record_outcome(wb, contacts.connection, principal, attempt.attempt_id, outcome=checked.outcome,
                              party=checked.party)
    if not verdict.allowed:
        audit.record(contacts.connection, now, "outcome_refused", principal, verdict.decision,
                     account_id=attempt.account_id, channel=checked.channel.value,
                     refused_outcome=checked.outcome.value, rules=list(verdict.rules), reasons=list(verdict.reasons),
                     pack_versions=list(verdict.pack_versions))
        return verdict, None
    assert attempt.logged is not None
    contact_id = attempt.logged.contact_id
    party = checked.party.value if checked.party else None
    contacts.ledger.complete(attempt.attempt_id, checked.outcome.value, party, now)  # unless the gate did
    contacts.ledger.log(attempt.attempt_id, _logged(wb, attempt.logged, entry, checked))
    _follow_ups(wb, contacts.connection, principal, attempt.account_id, entry)
    promise = _record_taken_promise(contacts.connection, principal, checked.promise, contact_id, now)
    return verdict, Recorded(contact_id, promise.promise_id if promise else None)


def _logged(wb: Workbench, reserved: Logged, entry: LogContact, checked: Checked) -> Logged:
    """What is logged with the contact; the notes encrypted (the one place they are)."""
    cents = checked.cents
    return replace(reserved, direction=checked.direction.value,
                   notes_enc=wb.cipher.encrypt(entry.notes) if entry.notes else None, promise_amount_cents=cents,
                   promise_date=entry.promise_date if cents else None,
                   dispute=entry.dispute or checked.outcome == Outcome.DISPUTE, complaint=entry.complaint,
                   callback_at=as_utc(entry.callback_at))


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


def _follow_ups(wb: Workbench, connection: Connection, principal: Principal, account_id: str,
                entry: LogContact) -> None:
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
        arrangements.record_promise(JoinedArrangementsUnitOfWork(connection), SqlPortfolioReader(connection), promise,
                                    actor=principal.username, now=now)
    except arrangements.ArrangementRefused as refusal:
        raise _refused(refusal) from refusal
    return promise
