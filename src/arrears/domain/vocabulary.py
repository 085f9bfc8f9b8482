"""The portfolio vocabulary (portfolio-v1): statuses and kinds as enums."""

from __future__ import annotations

from enum import StrEnum

from arrears.domain.transitions import transitions

# portfolio-v1: the zone of a customer whose file gives none, and the operation's default zone.
DEFAULT_ZONE = "Asia/Shanghai"


class ContactKind(StrEnum):
    """What kind of contact point. Each contract accepts its subset (below)."""

    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    EMAIL = "email"
    PERSONAL_EMAIL = "personal_email"
    WORK_EMAIL = "work_email"
    POSTAL = "postal"

    @property
    def is_phone(self) -> bool:
        return self in (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)


# contact_points.csv `kind` (portfolio-v1): an e-mail address is one kind.
PORTFOLIO_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK, ContactKind.EMAIL, ContactKind.POSTAL)
# compliance-check-v1 `to.kind`: whose e-mail it is matters (an employer's address is not the debtor's).
ADDRESSED_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK, ContactKind.PERSONAL_EMAIL,
                   ContactKind.WORK_EMAIL, ContactKind.POSTAL)


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


# The channels a plan uses and a customer may prefer (customers.csv preferred_channel, strategies).
PLANNED_CHANNELS = (Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER)


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Party(StrEnum):
    """Who a contact addresses or reached. Each contract accepts its subset (below)."""

    DEBTOR = "debtor"
    SPOUSE = "spouse"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"
    THIRD_PARTY = "third_party"
    ATTORNEY = "attorney"
    EMPLOYER = "employer"
    UNKNOWN = "unknown"


# Who a recorded contact reached (contacts.csv `party`, a logged contact): `unknown` when not known.
RECORDED_PARTIES = (Party.DEBTOR, Party.SPOUSE, Party.GUARANTOR, Party.EMERGENCY_CONTACT, Party.THIRD_PARTY,
                    Party.UNKNOWN)
# Whom an action addresses (compliance-check-v1 `action.to.party`): always known.
ADDRESSED_PARTIES = tuple(party for party in Party if party is not Party.UNKNOWN)


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


_O = Outcome
# What can come of a contact on each channel: a letter is not busy, a voicemail is not a conversation.
OUTCOMES_OF_CHANNEL: dict[Channel, frozenset[Outcome]] = {
    Channel.CALL: frozenset({_O.CONVERSATION, _O.ANSWERED_OTHER, _O.NO_ANSWER, _O.VOICEMAIL, _O.DROPPED, _O.BUSY,
                             _O.NOT_IN_SERVICE, _O.WRONG_NUMBER, _O.REFUSED, _O.DISPUTE}),
    Channel.VOICEMAIL: frozenset({_O.VOICEMAIL, _O.FAILED, _O.NOT_IN_SERVICE, _O.WRONG_NUMBER}),
    Channel.SMS: frozenset({_O.DELIVERED, _O.FAILED, _O.NOT_IN_SERVICE, _O.WRONG_NUMBER}),
    Channel.EMAIL: frozenset({_O.DELIVERED, _O.FAILED, _O.BOUNCED}),
    Channel.LETTER: frozenset({_O.DELIVERED, _O.BOUNCED}),
    Channel.VISIT: frozenset({_O.CONVERSATION, _O.ANSWERED_OTHER, _O.NO_ANSWER, _O.REFUSED, _O.DISPUTE}),
}

# What can come of a contact the customer started (an inbound call, answered by us): someone spoke
# (the customer, or someone else for them), or the line dropped. Never no answer, busy, a voicemail
# or a dead number: those are what an outbound dial finds. In the order a collector's form lists them.
INBOUND_OUTCOMES_OF_CHANNEL: dict[Channel, tuple[Outcome, ...]] = {
    Channel.CALL: (_O.CONVERSATION, _O.DISPUTE, _O.REFUSED, _O.ANSWERED_OTHER, _O.DROPPED),
}


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
    """A customer's jurisdiction, and the code of the compliance rule pack that applies there."""

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
OUTBOX_TRANSITIONS = transitions(OutboxState, {
    OutboxState.PENDING: {OutboxState.SENDING},
    OutboxState.RETRY: {OutboxState.SENDING},
    OutboxState.SENDING: {OutboxState.SENDING, OutboxState.RETRY, *OUTBOX_FINAL},  # re-claimed after a lease
})


class DeliveryStatus(StrEnum):
    """What an SMS gateway's receipt says of a message (outreach-v1)."""

    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"


class Bounce(StrEnum):
    """An e-mail that came back undelivered (a delivery status notification, RFC 3464, or a mail
    provider's webhook): hard when the address does not work (a permanent 5.x.x status: no such
    mailbox), soft when the failure was temporary (4.x.x: mailbox full)."""

    HARD = "hard"
    SOFT = "soft"
