"""The portfolio vocabulary (portfolio-v1): statuses and kinds as enums."""

from __future__ import annotations

from enum import StrEnum

# portfolio-v1: the zone of a customer whose file gives none, and the operation's default zone.
DEFAULT_ZONE = "Asia/Shanghai"


class ContactKind(StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    EMAIL = "email"
    POSTAL = "postal"

    @property
    def is_phone(self) -> bool:
        return self in (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)


class Owner(StrEnum):
    DEBTOR = "debtor"
    SPOUSE = "spouse"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"
    EMPLOYER = "employer"
    OTHER = "other"


class ContactPointStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


class ContactSource(StrEnum):
    APPLICATION = "application"
    CUSTOMER_UPDATE = "customer_update"
    BUREAU = "bureau"
    OTHER = "other"


class Channel(StrEnum):
    CALL = "call"
    VOICEMAIL = "voicemail"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"


class PreferredChannel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Party(StrEnum):
    DEBTOR = "debtor"
    SPOUSE = "spouse"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    CONVERSATION = "conversation"
    ANSWERED_OTHER = "answered_other"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    DROPPED = "dropped"
    BUSY = "busy"
    NOT_IN_SERVICE = "not_in_service"
    WRONG_NUMBER = "wrong_number"
    DELIVERED = "delivered"
    FAILED = "failed"
    BOUNCED = "bounced"
    REFUSED = "refused"
    DISPUTE = "dispute"

    @property
    def reached_right_party(self) -> bool:
        return self in (Outcome.CONVERSATION, Outcome.REFUSED, Outcome.DISPUTE)


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CHARGED_OFF = "charged_off"
    SETTLED = "settled"


class AccountFlag(StrEnum):
    DISPUTE = "dispute"
    CEASE = "cease"
    ATTORNEY = "attorney"
    DECEASED = "deceased"
    BANKRUPTCY = "bankruptcy"
    HARDSHIP = "hardship"
    INSTALLMENT_PLAN = "installment_plan"
    COMPLAINT = "complaint"
    FRAUD = "fraud"
    LITIGATION_AUTHORIZED = "litigation_authorized"
    TIME_BARRED = "time_barred"


# Flags on which no collection contact may be made (contact-plan-v1).
NO_COLLECTION_FLAGS = frozenset(
    {
        AccountFlag.DISPUTE,
        AccountFlag.CEASE,
        AccountFlag.DECEASED,
        AccountFlag.BANKRUPTCY,
        AccountFlag.INSTALLMENT_PLAN,
    }
)

# Flags that stop the delinquency clock while present.
PAUSING_FLAGS = frozenset({AccountFlag.DISPUTE})


class Segment(StrEnum):
    """Ability and willingness to repay (scoring decides it; the plan's treatments and the pages use it)."""

    ABLE_WILLING = "able_willing"
    ABLE_UNWILLING = "able_unwilling"
    WILLING_UNABLE = "willing_unable"
    UNABLE_UNWILLING = "unable_unwilling"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class Jurisdiction(StrEnum):
    CN = "CN"
    US = "US"
    US_MA = "US-MA"
    US_NYC = "US-NYC"
    US_WA = "US-WA"
    UK = "UK"


class OutboxState(StrEnum):
    """Where a planned message stands in the outbox (outreach-v1). ``sending`` is claimed by one
    dispatcher under a lease; ``retry`` waits for its next try; the last three are final."""

    PENDING = "pending"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    FAILED = "failed"
    DENIED = "denied"


OUTBOX_FINAL = frozenset({OutboxState.SENT, OutboxState.FAILED, OutboxState.DENIED})
OUTBOX_TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    OutboxState.PENDING: frozenset({OutboxState.SENDING}),
    OutboxState.RETRY: frozenset({OutboxState.SENDING}),
    OutboxState.SENDING: frozenset({OutboxState.SENDING, OutboxState.RETRY, *OUTBOX_FINAL}),  # re-claimed after a lease
    OutboxState.SENT: frozenset(),
    OutboxState.FAILED: frozenset(),
    OutboxState.DENIED: frozenset(),
}


class DeliveryStatus(StrEnum):
    """What an SMS gateway's receipt says of a message (outreach-v1)."""

    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
