"""The outreach ports in memory, for fast unit tests of dispatch and the callbacks: an outbox with
the SQL one's claim rules, recipients and replies from dictionaries, a unit of work that keeps
what was committed and drops the rest."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self

from arrears.domain.outreach import Claimed, NumberHolder, PlannedMessage, Recipient, StoredMessage
from arrears.domain.vocabulary import OutboxState


@dataclass
class Row:
    message: PlannedMessage
    state: OutboxState = OutboxState.PENDING
    tries: int = 0
    next_try_at: datetime | None = None
    lease_until: datetime | None = None
    attempt_id: str | None = None
    provider_id: str | None = None
    rules: str = ""
    reason: str = ""
    delivery: str | None = None


@dataclass
class MemoryOutbox:
    rows: dict[str, Row] = field(default_factory=dict)

    def enqueue(self, messages: Sequence[PlannedMessage], now: datetime) -> dict[str, OutboxState]:
        before = {m.message_id: self.rows[m.message_id].state for m in messages if m.message_id in self.rows}
        for m in messages:
            self.rows.setdefault(m.message_id, Row(m))
        return before

    def _claimable(self, row: Row, now: datetime) -> bool:
        if row.state in (OutboxState.PENDING, OutboxState.RETRY):
            return row.next_try_at is None or row.next_try_at <= now
        return row.state is OutboxState.SENDING and row.lease_until is not None and row.lease_until < now

    def claim(self, message_id: str, *, now: datetime, lease_until: datetime) -> Claimed | None:
        row = self.rows.get(message_id)
        if row is None or not self._claimable(row, now):
            return None
        row.state, row.lease_until, row.tries = OutboxState.SENDING, lease_until, row.tries + 1
        return Claimed(row.message, message_id, row.tries, row.attempt_id)

    def state_of(self, message_id: str) -> OutboxState | None:
        row = self.rows.get(message_id)
        return row.state if row else None

    def _set(self, message_id: str, **values: Any) -> None:
        row = self.rows[message_id]
        for name, value in values.items():
            setattr(row, name, value)

    def reserved(self, message_id: str, attempt_id: str, now: datetime) -> None:
        self._set(message_id, attempt_id=attempt_id)

    def denied(self, message_id: str, rules: Iterable[str], now: datetime) -> None:
        self._set(message_id, state=OutboxState.DENIED, rules=" ".join(rules), lease_until=None, attempt_id=None)

    def sent(self, message_id: str, provider_id: str, now: datetime) -> None:
        self._set(message_id, state=OutboxState.SENT, provider_id=provider_id, lease_until=None)

    def failed(self, message_id: str, reason: str, now: datetime) -> None:
        self._set(message_id, state=OutboxState.FAILED, reason=reason, lease_until=None)

    def retry(self, message_id: str, at: datetime, reason: str, now: datetime) -> None:
        self._set(message_id, state=OutboxState.RETRY, next_try_at=at, reason=reason, lease_until=None,
                  attempt_id=None)

    def due(self, instant: datetime, now: datetime, limit: int) -> list[str]:
        due = [mid for mid, row in self.rows.items() if self._claimable(row, now)
               and (row.state is OutboxState.SENDING or row.message.scheduled_at <= instant)]
        return sorted(due, key=lambda mid: (self.rows[mid].message.scheduled_at, mid))[:limit]

    def by_provider_id(self, provider_id: str) -> StoredMessage | None:
        return next((self._stored(mid) for mid, row in self.rows.items() if row.provider_id == provider_id), None)

    def by_message_id(self, message_id: str) -> StoredMessage | None:
        return self._stored(message_id) if message_id in self.rows else None

    def _stored(self, message_id: str) -> StoredMessage:
        row = self.rows[message_id]
        m = row.message
        return StoredMessage(message_id, m.account_id, m.customer_id, m.contact_point_id, m.channel, row.state,
                             row.attempt_id, row.delivery)

    def delivered(self, message_id: str, status: str, now: datetime, reason: str | None = None) -> None:
        self._set(message_id, delivery=status, **({"reason": reason} if reason is not None else {}))

    def count_delivered(self, contact_point_id: str, status: str) -> int:
        return sum(1 for row in self.rows.values()
                   if row.message.contact_point_id == contact_point_id and row.delivery == status)


@dataclass
class MemoryRecipients:
    by_point: dict[str, Recipient] = field(default_factory=dict)  # contact point id → recipient
    invalid: set[str] = field(default_factory=set)  # the replies' invalid points, as committed

    def find(self, account_id: str, contact_point_id: str, channel: str) -> Recipient | None:
        found = self.by_point.get(contact_point_id)
        return replace(found, invalid=True) if found is not None and contact_point_id in self.invalid else found


@dataclass
class MemoryReplies:
    points: dict[str, list[NumberHolder]] = field(default_factory=dict)  # number → holders
    invalid: set[str] = field(default_factory=set)
    opted_out: set[str] = field(default_factory=set)
    accounts: dict[str, str] = field(default_factory=dict)  # customer → account
    collectors: dict[str, str] = field(default_factory=dict)  # account → user
    contacts: list[tuple[str, str, datetime]] = field(default_factory=list)
    follow_ups: list[tuple[str, str, str]] = field(default_factory=list)
    kept: list[tuple[str, str, str]] = field(default_factory=list)

    def holders(self, number: str) -> list[NumberHolder]:
        return list(self.points.get(number, ()))

    def mark_invalid(self, contact_point_id: str) -> None:
        self.invalid.add(contact_point_id)

    def opt_out(self, contact_point_ids: list[str]) -> None:
        self.opted_out.update(contact_point_ids)

    def account_replied_to(self, holder: NumberHolder) -> str | None:
        return self.accounts.get(holder.customer_id)

    def add_inbound_contact(self, holder: NumberHolder, account_id: str, at: datetime) -> str:
        self.contacts.append((holder.contact_point_id, account_id, at))
        return f"IN-{len(self.contacts)}"

    def collector_of(self, account_id: str) -> str | None:
        return self.collectors.get(account_id)

    def add_follow_up(self, account_id: str, owner_user_id: str, due_at: datetime, note: str, now: datetime) -> str:
        self.follow_ups.append((account_id, owner_user_id, note))
        return f"F-{len(self.follow_ups)}"

    def keep_reply(self, holder: NumberHolder, number: str, text: str, at: datetime, *, account_id: str | None,
                   effect: str, follow_up_id: str | None, now: datetime) -> str:
        self.kept.append((number, text, effect))
        return f"R-{len(self.kept)}"


@dataclass
class MemoryOutreach:
    """The committed state, shared by every unit of work made from it."""

    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    recipients: MemoryRecipients = field(default_factory=MemoryRecipients)
    replies: MemoryReplies = field(default_factory=MemoryReplies)

    def unit_of_work(self) -> MemoryOutreachUnitOfWork:
        return MemoryOutreachUnitOfWork(self)


class MemoryOutreachUnitOfWork:
    connection = None  # the gate keeps its own transaction

    def __init__(self, store: MemoryOutreach) -> None:
        self.store = store

    def __enter__(self) -> Self:
        self.outbox = replace(self.store.outbox, rows=copy.deepcopy(self.store.outbox.rows))
        self.recipients = replace(self.store.recipients, invalid=set(self.store.replies.invalid))
        self.replies = copy.deepcopy(self.store.replies)
        return self

    def commit(self) -> None:
        self.store.outbox.rows = copy.deepcopy(self.outbox.rows)
        self.store.replies = copy.deepcopy(self.replies)

    def __exit__(self, *args: object) -> None:
        pass  # what was not committed is dropped with the copies
