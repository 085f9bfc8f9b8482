"""What dispatch and the callbacks need from outside (outreach-v1): one port for every channel,
the renderer, the outbox and the recipients. Adapters satisfy them structurally:
``adapters.outreach`` (SMTP, the SMS gateway, letters, the renderer), ``adapters.storage.
outreach_repository`` on a database, ``adapters.memory_outreach`` in memory. The values they exchange are the domain's
(``domain.outreach``), so that adapters import nothing from here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from arrears.domain.outreach import (
    Claimed,
    NumberHolder,
    OutboundMessage,
    PlannedMessage,
    Recipient,
    RenderedMessage,
    RenderError,
    SendResult,
    StoredMessage,
)
from arrears.domain.vocabulary import OutboxState
from arrears.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy import Connection


class MessageRenderer(Protocol):
    def render(self, template_id: str, channel: str, language: str, facts: Mapping[str, str]) -> RenderedMessage:
        """The template's text in ``language`` with ``facts``; raises ``RenderError``."""
        ...


class ChannelSender(Protocol):
    """One port for every channel: SMS gateway, SMTP, letters."""

    def send(self, message: OutboundMessage) -> SendResult: ...


class LetterSender(ChannelSender, Protocol):
    """Letters for a print house (one file a letter and a manifest)."""


class Outbox(Protocol):
    def enqueue(self, messages: Sequence[PlannedMessage], now: datetime) -> dict[str, OutboxState]:
        """Add the messages not there yet (as pending); the state each had before (absent: new)."""
        ...

    def claim(self, message_id: str, *, now: datetime, lease_until: datetime) -> Claimed | None:
        """Take the row for one try if it is pending, due for a retry, or held under a lease that
        ran out; None when it is final, not due for its retry, or held by another dispatcher."""
        ...

    def state_of(self, message_id: str) -> OutboxState | None: ...
    def reserved(self, message_id: str, attempt_id: str, now: datetime) -> None: ...
    def denied(self, message_id: str, rules: Iterable[str], now: datetime) -> None: ...
    def sent(self, message_id: str, provider_id: str, now: datetime) -> None: ...
    def failed(self, message_id: str, reason: str, now: datetime) -> None: ...
    def retry(self, message_id: str, at: datetime, reason: str, now: datetime) -> None: ...
    def due(self, instant: datetime, now: datetime, limit: int) -> list[str]:
        """Ids of rows a worker may try now: scheduled by ``instant``, pending or due for a retry at
        ``now``, or held under a lease that ran out."""
        ...
    def by_provider_id(self, provider_id: str) -> StoredMessage | None: ...
    def by_message_id(self, message_id: str) -> StoredMessage | None: ...
    def delivered(self, message_id: str, status: str, now: datetime, reason: str | None = None) -> None:
        """What came back of a sent message: a receipt's status or a bounce (with why, when given)."""
        ...

    def count_delivered(self, contact_point_id: str, status: str) -> int:
        """How many messages to the contact point came back with ``status`` (each message once)."""
        ...


class Recipients(Protocol):
    def find(self, account_id: str, contact_point_id: str, channel: str) -> Recipient | None: ...


class ReplyStore(Protocol):
    """Where what comes back is written: where the gate and the planner read numbers, the contact
    ledger, the replies and the collectors' follow-ups."""

    def holders(self, number: str) -> list[NumberHolder]: ...
    def mark_invalid(self, contact_point_id: str) -> None: ...
    def opt_out(self, contact_point_ids: list[str]) -> None: ...
    def account_replied_to(self, holder: NumberHolder) -> str | None: ...
    def add_inbound_contact(self, holder: NumberHolder, account_id: str, at: datetime) -> str: ...
    def collector_of(self, account_id: str) -> str | None: ...
    def add_follow_up(self, account_id: str, owner_user_id: str, due_at: datetime, note: str, now: datetime) -> str: ...
    def keep_reply(self, holder: NumberHolder, number: str, text: str, at: datetime, *, account_id: str | None,
                   effect: str, follow_up_id: str | None, now: datetime) -> str: ...


class OutreachUnitOfWork(UnitOfWork, Protocol):
    """One transaction: the outbox and the ledger commit together or not at all."""

    @property
    def outbox(self) -> Outbox: ...
    @property
    def recipients(self) -> Recipients: ...
    @property
    def replies(self) -> ReplyStore: ...
    @property
    def connection(self) -> Connection | None:
        """The open transaction for the gate (None in memory: the gate keeps its own)."""
        ...


__all__ = [
    "ChannelSender",
    "Claimed",
    "LetterSender",
    "MessageRenderer",
    "OutboundMessage",
    "Outbox",
    "OutreachUnitOfWork",
    "Recipient",
    "Recipients",
    "RenderError",
    "RenderedMessage",
    "ReplyStore",
    "SendResult",
    "StoredMessage",
]
