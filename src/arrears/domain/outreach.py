"""Outreach, the pure part: a planned message and its stable id, the retry schedule, what a
dispatch counted, and which replies opt a number out (outreach-v1). No clock, no IO."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from arrears.domain.vocabulary import Bounce, OutboxState

MESSAGE_CHANNELS = ("sms", "email", "letter")  # the plan's channels that dispatch sends
OPT_OUT_WORDS = frozenset({"td", "t", "退订", "stop", "unsubscribe", "取消"})


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One sms, email or letter row of a contact plan (contact-plan-v1)."""

    account_id: str
    customer_id: str
    channel: str
    contact_point_id: str
    scheduled_at: datetime  # zone-aware
    template: str
    offer: str

    def __post_init__(self) -> None:
        if self.channel not in MESSAGE_CHANNELS:
            raise ValueError(f"channel: {self.channel!r} is not one of {', '.join(MESSAGE_CHANNELS)}")
        if self.scheduled_at.tzinfo is None or self.scheduled_at.utcoffset() is None:
            raise ValueError("scheduled_at: an instant carries its offset")

    @property
    def message_id(self) -> str:
        """Stable for the plan row: the same row planned again, or dispatched again after a crash,
        has the same id, which is the gateway's idempotency key."""
        return message_id_of(self)


def message_id_of(message: PlannedMessage) -> str:
    at = message.scheduled_at.astimezone(UTC).isoformat()
    key = "\x1f".join((message.account_id, message.customer_id, message.channel, message.contact_point_id, at,
                       message.template, message.offer))
    return "m-" + hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: the n-th failed try waits ``first_delay * factor**(n-1)``; after
    ``max_tries`` tries the message is failed."""

    max_tries: int = 3
    first_delay: timedelta = timedelta(seconds=1)
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError("max_tries: at least one try")

    def next_try(self, tries: int, now: datetime) -> datetime | None:
        """When to try again after ``tries`` tries failed at ``now``; None when no try is left."""
        if tries >= self.max_tries:
            return None
        return now + self.first_delay * (self.factor ** (tries - 1))


@dataclass(slots=True)
class DispatchCounts:
    """What one dispatch did with each plan row (outreach-v1's five counts; ``in_flight`` is a
    row another dispatcher holds right now, shown only when there is one)."""

    sent: int = 0
    denied: int = 0
    failed: int = 0
    not_due: int = 0
    already_sent: int = 0
    in_flight: int = 0
    rules: dict[str, int] = field(default_factory=dict)  # denials by rule

    def as_contract(self) -> dict[str, int]:
        counts = {"sent": self.sent, "denied": self.denied, "failed": self.failed, "not due": self.not_due,
                  "already sent": self.already_sent}
        if self.in_flight:
            counts["in flight"] = self.in_flight
        return counts


def is_opt_out(text: str) -> bool:
    """A reply that opts its number out of SMS: TD, T, 退订, STOP, UNSUBSCRIBE or 取消, in any case
    (full-width letters too), with spaces around it."""
    return unicodedata.normalize("NFKC", text).strip().casefold() in OPT_OUT_WORDS


# -- e-mail bounces ------------------------------------------------------------------------

# The outbox's ``delivery`` of an e-mail that bounced. A message counts once: reading the same
# bounce again changes nothing, and only a hard bounce replaces a soft one.
BOUNCE_DELIVERY = {Bounce.HARD: "bounced", Bounce.SOFT: "soft_bounced"}
_ADDRESS = re.compile(r"<?[^\s<>()\[\];,:\"']+@[^\s<>()\[\];,:\"']+>?")


def bounce_of(action: str, status: str) -> Bounce | None:
    """What a DSN's per-recipient fields say (RFC 3464 ``Action``, RFC 3463 ``Status``): a failed
    delivery is a bounce, soft when its status is temporary (4.x.x: the sending server gave up
    retrying), else hard; delivered, relayed, expanded and delay warnings are no bounce."""
    if action.strip().casefold() != "failed":
        return None
    return Bounce.SOFT if status.strip().startswith("4.") else Bounce.HARD


def bounce_changes(delivery: str | None, kind: Bounce) -> bool:
    """Whether a bounce of ``kind`` changes a message whose delivery is ``delivery``: a message
    already bounced hard stays so, a soft one becomes hard only by a hard bounce."""
    if delivery == BOUNCE_DELIVERY[Bounce.HARD]:
        return False
    return delivery != BOUNCE_DELIVERY[Bounce.SOFT] or kind is Bounce.HARD


def without_addresses(text: str, limit: int = 300) -> str:
    """A mail server's diagnostic with every e-mail address replaced (it is kept, and may name the
    debtor's address), one line, at most ``limit`` characters."""
    return " ".join(_ADDRESS.sub("<address>", text).split())[:limit]


@dataclass(frozen=True, slots=True)
class EmailBounce:
    """One bounced e-mail as a DSN or a provider reports it. ``reference`` names the message: our
    Message-ID without its brackets (the outbox's provider id), or the outbox message id."""

    reference: str
    kind: Bounce
    status: str = ""  # RFC 3463, e.g. 5.1.1
    at: datetime | None = None
    reason: str = ""  # the diagnostic, without addresses


# -- what the outreach ports exchange ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RenderedMessage:
    text: str
    subject: str  # e-mail subject or letter title; empty for an SMS
    sender: str  # who actually holds the account: the institution or the authorised agency


class RenderError(ValueError):
    """No template for this id and channel, or facts it needs are missing."""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What a channel adapter sends. ``to`` and ``text`` are personal data: never in a repr."""

    message_id: str  # the idempotency key
    channel: str
    account_id: str
    to: str = field(repr=False)  # E.164 number, e-mail address or postal address
    text: str = field(repr=False)
    subject: str = ""
    sender: str = ""


@dataclass(frozen=True, slots=True)
class SendResult:
    status: Literal["accepted", "rejected", "retryable"]
    provider_id: str | None = None
    reason: str = ""

    @classmethod
    def accepted(cls, provider_id: str) -> SendResult:
        return cls("accepted", provider_id)

    @classmethod
    def rejected(cls, reason: str) -> SendResult:
        return cls("rejected", None, reason)

    @classmethod
    def retryable(cls, reason: str) -> SendResult:
        return cls("retryable", None, reason)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a planned message goes and the facts its template may use (already masked where
    a page would mask them, amounts written for the language)."""

    to: str = field(repr=False)
    language: str
    facts: Mapping[str, str] = field(repr=False)
    invalid: bool = False  # the number or address is marked invalid (a hard bounce, an undeliverable receipt)


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row claimed for one try."""

    message: PlannedMessage
    message_id: str
    tries: int
    attempt_id: str | None  # set when a crashed try is resumed: the reservation stands


@dataclass(frozen=True, slots=True)
class StoredMessage:
    message_id: str
    account_id: str
    customer_id: str
    contact_point_id: str
    channel: str
    state: OutboxState
    attempt_id: str | None
    delivery: str | None = None  # the receipt's status, or the bounce (``BOUNCE_DELIVERY``)




@dataclass(frozen=True, slots=True)
class NumberHolder:
    """A contact point that has the number a reply came from."""

    contact_point_id: str
    customer_id: str
    owner: str  # debtor | spouse | guarantor | emergency_contact | employer | other
