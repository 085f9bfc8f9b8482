"""What comes back from the SMS gateway (outreach-v1): delivery receipts and replies.

A receipt completes the message's attempt in the ledger (delivered, failed; undeliverable is
recorded as bounced) and an ``undeliverable`` number is marked invalid, so the gate counts the
debtor as unreachable there and plans leave it out. A reply that is an opt-out word marks the
number do-not-contact at once, where the gate reads opt-outs: the next dispatch of an SMS to it
is denied. Any other reply is an inbound contact in the ledger, kept (encrypted), and a
follow-up for the account's collector. Unknown provider ids and numbers change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from arrears.adapters.clock import Clock, system_clock
from arrears.domain.outreach import is_opt_out
from arrears.domain.vocabulary import DeliveryStatus
from arrears.services.contact_gate_port import ContactGate
from arrears.services.outreach import gate as door
from arrears.services.outreach.ports import OutreachUnitOfWork
from arrears.services.portfolio_files.rules import phone_text
from arrears.services.workbench.errors import NotFound

LEDGER_OUTCOME = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.FAILED: "failed",
                  DeliveryStatus.UNDELIVERABLE: "bounced"}


@dataclass(frozen=True, slots=True)
class RecordReceipt:
    provider_id: str
    status: DeliveryStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordReply:
    sender: str  # the number the reply came from
    text: str
    at: datetime


@dataclass
class Callbacks:
    unit_of_work: Callable[[], OutreachUnitOfWork]
    gate: ContactGate
    clock: Clock = system_clock
    soft_bounce_limit: int = 3  # soft-bounced e-mails to an address that make it invalid


def record_receipt(command: RecordReceipt, callbacks: Callbacks) -> dict[str, object]:
    with callbacks.unit_of_work() as uow:
        stored = uow.outbox.by_provider_id(command.provider_id)
        if stored is None:
            raise NotFound("未知的 provider_id", "unknown provider_id", "provider_id")
        recorded = False
        if stored.attempt_id is not None:
            recorded = door.record(callbacks.gate, stored.attempt_id, LEDGER_OUTCOME[command.status],
                                   connection=uow.connection)
        uow.outbox.delivered(stored.message_id, command.status.value, callbacks.clock())
        if command.status is DeliveryStatus.UNDELIVERABLE:
            uow.replies.mark_invalid(stored.contact_point_id)
        uow.commit()
    return {"message_id": stored.message_id, "status": command.status.value, "ledger": recorded}


def record_reply(command: RecordReply, callbacks: Callbacks) -> dict[str, object]:
    number = phone_text(command.sender.strip()) or command.sender.strip()
    now = callbacks.clock()
    with callbacks.unit_of_work() as uow:
        holders = uow.replies.holders(number)
        if not holders:
            raise NotFound("未知的号码", "unknown number", "from")
        first = holders[0]
        if is_opt_out(command.text):
            uow.replies.opt_out([h.contact_point_id for h in holders])
            for holder in holders:
                uow.replies.keep_reply(holder, number, command.text, command.at, account_id=None, effect="opt_out",
                                       follow_up_id=None, now=now)
            uow.commit()
            return {"effect": "opt_out", "contact_points": len(holders)}
        account_id = uow.replies.account_replied_to(first)
        follow_up_id = None
        if account_id is not None:
            uow.replies.add_inbound_contact(first, account_id, command.at)
            collector = uow.replies.collector_of(account_id)
            if collector is not None:
                follow_up_id = uow.replies.add_follow_up(
                    account_id, collector, max(command.at, now), f"短信回复 SMS reply: {command.text}", now)
        uow.replies.keep_reply(first, number, command.text, command.at, account_id=account_id, effect="reply",
                               follow_up_id=follow_up_id, now=now)
        uow.commit()
    return {"effect": "reply", "account_id": account_id, "follow_up_id": follow_up_id}
