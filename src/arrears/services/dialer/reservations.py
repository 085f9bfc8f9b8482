"""A dialer's reservations in one request (``ReserveCalls``): many calls for one collector, each
judged exactly as ``POST /v1/accounts/{id}/attempts`` judges one, in one transaction.

The collector is found and their standing checked once (role, training, agency mandate: a
collector who may not take work gets no reservation at all); the accounts are read in their
scope together, the debtors locked in customer-id order and their facts read together
(``BatchingGate.batch``). Then each call in the order given: the account in scope, the channel,
the contact point's marks, the gate under the debtor's lock with the batch's earlier
reservations in the history; allowed: the attempt is the collector's, as on the single path.
Each call gets its own answer (reserved, refused by the gate with its reasons, or the input's
error); the attempts, every decision's audit row and the refusals' access-audit entries commit
together, or nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from arrears.adapters.storage.contacts_repository import JoinedContactsUnitOfWork
from arrears.domain.access import Permission
from arrears.domain.vocabulary import Channel
from arrears.services.contacts.ports import BatchingGate, ContactBatch, ContactLedger, ContactRequest, GateVerdict
from arrears.services.dialer.calls import collector_in
from arrears.services.workbench import audit
from arrears.services.workbench.accounts import account_rows
from arrears.services.workbench.contact_entry import _choice
from arrears.services.workbench.contacts import OneReservation, check_point, reserve_in
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput, NotFound, WorkbenchError
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue import check_may_take_work_in

MAX_CALLS = 200  # a batch's calls at most: the debtors stay locked until it commits


@dataclass(frozen=True)
class CallWanted:
    account_id: str
    contact_point_id: str | None
    channel: str = "call"


@dataclass(frozen=True)
class ReserveCalls:
    """Reserve ``calls`` for the collector with ``agent_id``, each judged on its own."""

    agent_id: str
    calls: tuple[CallWanted, ...]
    language: str = "zh"


@dataclass(frozen=True)
class CallReserved:
    """One call's answer: reserved (``attempt_id``), refused by the gate (``verdict`` denies), or
    refused before the gate (``error``: the account, channel or contact point)."""

    wanted: CallWanted
    verdict: GateVerdict | None = None
    attempt_id: str | None = None
    contact_id: str | None = None
    error: WorkbenchError | None = None


@dataclass
class _Batch:
    """``ReservingUnit`` over a gate's batch: the refusals' access-audit entries kept to the end."""

    contacts: ContactBatch
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ledger(self) -> ContactLedger:
        return self.contacts.ledger

    def reserve(self, request: ContactRequest, language: str) -> GateVerdict:
        return self.contacts.reserve(request, language)

    def audit(self, row: dict[str, Any]) -> None:
        self.entries.append(row)


def _unit(wb: Workbench, connection: Connection, accounts: dict[str, dict[str, Any]], principal: Principal,
          now: datetime) -> _Batch | OneReservation:
    if isinstance(wb.gate, BatchingGate):
        return _Batch(wb.gate.batch(connection, account_ids=sorted(accounts), agent_ids=[principal.agent_id or ""],
                                    at=now))
    return OneReservation(wb.gate, JoinedContactsUnitOfWork(connection, wb.cipher))  # one by one, same transaction


def reserve_calls(wb: Workbench, command: ReserveCalls) -> list[CallReserved]:
    """Every call of ``command`` answered, in its order; one transaction."""
    if not 1 <= len(command.calls) <= MAX_CALLS:
        raise InvalidInput(f"一次预约 1 至 {MAX_CALLS} 个电话", f"a batch reserves 1 to {MAX_CALLS} calls", "calls")
    now = wb.now()
    with wb.engine.begin() as connection:
        principal = replace(collector_in(connection, command.agent_id), language=command.language)
        principal.require(Permission.LOG_CONTACT)
        principal.require(Permission.VIEW_ACCOUNTS)
        check_may_take_work_in(wb, connection, principal)
        accounts = account_rows(connection, principal, [call.account_id for call in command.calls])
        unit = _unit(wb, connection, accounts, principal, now)
        answers = [_reserve_one(unit, principal, accounts, call, now) for call in command.calls]
        if isinstance(unit, _Batch):
            unit.contacts.commit()
            audit.write(connection, unit.entries)
    return answers


def _reserve_one(unit: _Batch | OneReservation, principal: Principal, accounts: dict[str, dict[str, Any]],
                 call: CallWanted, now: datetime) -> CallReserved:
    try:
        account = accounts.get(call.account_id)
        if account is None:
            raise NotFound(f"找不到账户 {call.account_id}", f"no account {call.account_id}", "account_id")
        channel = _choice(call.channel, Channel, "channel")
        if not (channel in (Channel.VISIT, Channel.LETTER) and call.contact_point_id is None):
            points = {p.contact_point_id: p for p in unit.ledger.points(account["customer_id"])}
            check_point(points.get(call.contact_point_id or ""), channel)
        reserved = reserve_in(unit, principal, account, channel=channel, point_id=call.contact_point_id, now=now)
    except WorkbenchError as error:
        return CallReserved(call, error=error)
    return CallReserved(call, reserved.verdict, reserved.attempt_id, reserved.contact_id)
