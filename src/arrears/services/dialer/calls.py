"""A dialer asks for the next call of a collector and reports what came of it.

``next_call``: the collector's next account from the work queue (a due callback first, each
account held by one collector at a time), then the debtor's phone numbers in order (valid
first, mobile before home before work) until the contact gate reserves a call on one; the
plaintext number goes to the dialer only then, and the hand-out is recorded (the reservation,
the dialer event and the audit entry in one transaction). An account on which the gate allows
no call goes back to the queue and the next one is tried.

``record_event``: ringing is recorded; answered, no answer, busy and failed end the attempt with
the matching outcome through the gate (``record_outcome``), in the same transaction as the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.dialer_tables import dialer_events
from arrears.adapters.storage.workbench_tables import users
from arrears.services.contact_gate_port import (
    AttemptClosed,
    AttemptUnknown,
    ContactRequest,
    GateVerdict,
    OutcomeNotPossible,
)
from arrears.services.workbench import audit, queue
from arrears.services.workbench.auth import principal_from_row
from arrears.services.workbench.context import Workbench, typed_instant
from arrears.services.workbench.errors import Conflict, ContactBlocked, InvalidInput, NotFound
from arrears.services.workbench.principal import Principal

MAX_ACCOUNTS = 10  # accounts tried for one request before answering that nothing may be called now
PHONE_ORDER = {"mobile": 0, "home": 1, "work": 2}
ENDING = {"answered": "conversation", "no_answer": "no_answer", "busy": "busy", "failed": "failed"}
EVENTS = ("ringing", *ENDING)


@dataclass(frozen=True, slots=True)
class NextCall:
    agent_id: str  # the collector the dialer works for
    automated: bool = False  # placed by a predictive dialer rather than by the collector's click


@dataclass(frozen=True, slots=True)
class DialerEvent:
    attempt_id: str
    event: str  # ringing | answered | no_answer | busy | failed
    party: str | None = None  # who answered, when not the debtor (answered by someone else)
    at: datetime | None = None  # when it happened (default: now)


@dataclass(frozen=True, slots=True)
class HandedCall:
    attempt_id: str
    account_id: str
    contact_point_id: str
    number: str  # plaintext, for dialling
    number_masked: str
    kind: str
    reason: str
    callback: bool
    pack_versions: tuple[str, ...]


_COLLECTOR = (select(users).where(users.c.agent_id == bindparam("agent_id"), users.c.active.is_(True))
              .order_by(users.c.username).limit(2))


def collector(wb: Workbench, agent_id: str) -> Principal:
    """The active user who is this collector (by agent id)."""
    with wb.engine.connect() as connection:
        return collector_in(connection, agent_id)


def collector_in(connection: Connection, agent_id: str) -> Principal:
    """``collector`` on the caller's connection."""
    rows = connection.execute(_COLLECTOR, {"agent_id": agent_id}).all()
    if not rows:
        raise NotFound(f"没有工号为 {agent_id} 的在职催收员", f"no active collector with agent id {agent_id}",
                       "agent_id")
    if len(rows) > 1:
        raise Conflict(f"工号 {agent_id} 对应多个用户", f"agent id {agent_id} belongs to more than one user",
                       "agent_id")
    return principal_from_row(rows[0])


def numbers_of(connection: Connection, account_id: str) -> list[Any]:
    p, a = t.contact_points.c, t.accounts.c
    rows = connection.execute(select(p.contact_point_id, p.kind, p.value_enc, p.value_masked, p.status)
                              .join(t.accounts, a.customer_id == p.customer_id)
                              .where(a.account_id == account_id, p.owner == "debtor", p.in_portfolio.is_(True),
                                     p.kind.in_(tuple(PHONE_ORDER)), p.do_not_contact.is_(False),
                                     p.status != "invalid")).all()
    return sorted(rows, key=lambda r: (r.status != "valid", PHONE_ORDER[r.kind], r.contact_point_id))


def _try_account(wb: Workbench, principal: Principal, got: dict[str, Any], command: NextCall,
                 caller: str) -> tuple[HandedCall | None, list[GateVerdict]]:
    account_id, now, denied = got["account_id"], wb.now(), []
    with wb.engine.connect() as connection:
        phones = numbers_of(connection, account_id)
    for number in phones:
        with wb.engine.begin() as connection:
            verdict = wb.gate.reserve(ContactRequest(account_id, "call", now, number.contact_point_id,
                                                     principal.agent_id, automated=command.automated),
                                      principal.language, connection=connection)
            if not verdict.allowed or verdict.attempt_id is None:
                denied.append(verdict)
                continue
            connection.execute(dialer_events.insert().values(
                attempt_id=verdict.attempt_id, event="reserved", at=now, account_id=account_id,
                agent_id=principal.agent_id or "", contact_point_id=number.contact_point_id, caller=caller))
            audit.record(connection, now, "reveal", principal, account_id=account_id, field="contact_point",
                         purpose="dialer call", contact_point_id=number.contact_point_id,
                         attempt_id=verdict.attempt_id, caller=caller)
            return HandedCall(verdict.attempt_id, account_id, number.contact_point_id,
                              wb.cipher.decrypt(number.value_enc), number.value_masked, number.kind,
                              got.get("reason") or "", bool(got.get("callback")), verdict.pack_versions), denied
    return None, denied


def next_call(wb: Workbench, command: NextCall, caller: str) -> HandedCall | None:
    """The collector's next call, reserved; None when no account in the queue may be called now.
    Raises ``ContactBlocked`` with the gate's last reasons when accounts were there but none may be called."""
    principal = collector(wb, command.agent_id)
    last: list[GateVerdict] = []
    held: str | None = None
    for _ in range(MAX_ACCOUNTS):
        got = queue.next_account(wb, principal)  # hands back the account held before, and skips it
        if got is None:
            held = None
            break
        handed, denied = _try_account(wb, principal, got, command, caller)
        if handed is not None:
            return handed
        last, held = denied or last, got["account_id"]
    if held is not None:
        queue.release(wb, principal, held)
    if last:
        raise ContactBlocked("闸门现在不允许拨打队列中的号码", "the gate allows no call on the queue's numbers now",
                             None, last[-1])
    return None


def _end_attempt(wb: Workbench, connection: Any, command: DialerEvent) -> tuple[str, ContactBlocked | None]:
    """The ending event's outcome recorded through the gate; the refusal when the gate refuses it."""
    party = command.party or "debtor"
    outcome = ENDING[command.event] if party == "debtor" or command.event != "answered" else "answered_other"
    try:
        verdict = wb.gate.record_outcome(command.attempt_id, outcome, party if command.event == "answered"
                                         else None, connection=connection)
    except AttemptClosed:
        raise Conflict("该呼叫已有结果", "the attempt already has its outcome", "attempt_id") from None
    except AttemptUnknown:
        raise NotFound("没有这个呼叫", "no such attempt", "attempt_id") from None
    except OutcomeNotPossible as exc:
        raise InvalidInput(str(exc), str(exc), "event") from None
    if verdict.allowed:
        return outcome, None
    # nothing written but the gate's audit of its decision
    return outcome, ContactBlocked("闸门不允许记录这个结果", "the gate refused to record this outcome", None, verdict)


def record_event(wb: Workbench, command: DialerEvent, caller: str) -> dict[str, Any]:
    """Record what the dialer reports; an ending event completes the attempt through the gate."""
    if command.event not in EVENTS:
        raise InvalidInput(f"事件须为 {', '.join(EVENTS)} 之一", f"the event is one of {', '.join(EVENTS)}", "event")
    at = wb.now() if command.at is None else typed_instant(command.at, "at", "事件时间", "event time")
    e = dialer_events.c
    with wb.engine.begin() as connection:
        handed = connection.execute(select(dialer_events).where(
            e.attempt_id == command.attempt_id, e.event == "reserved")).first()
        if handed is None:
            raise NotFound("没有交给拨号器的这个呼叫", "no call with this attempt id was handed to a dialer",
                           "attempt_id")
        ended = connection.execute(select(e.event).where(e.attempt_id == command.attempt_id,
                                                         e.event.in_(tuple(ENDING)))).scalar()
        if ended is not None:
            raise Conflict(f"该呼叫已结束（{ended}）", f"the call has already ended ({ended})", "attempt_id")
        outcome, refused = _end_attempt(wb, connection, command) if command.event in ENDING else (None, None)
        if refused is None:
            connection.execute(dialer_events.insert().values(
                attempt_id=command.attempt_id, event=command.event, at=at, account_id=handed.account_id,
                agent_id=handed.agent_id, contact_point_id=handed.contact_point_id, caller=caller))
    if refused is not None:
        raise refused
    return {"attempt_id": command.attempt_id, "event": command.event, "outcome": outcome, "at": at}
