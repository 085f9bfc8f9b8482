"""E-mail bounces: a delivery status notification read from the bounce mailbox, or a mail
provider's webhook, says an e-mail did not arrive.

A bounce names its message by our Message-ID (the outbox's provider id) or by the outbox message
id. Its attempt is completed in the contact ledger as ``bounced`` (the gate counts it as not
connected), and the outbox's ``delivery`` says ``bounced`` (hard) or ``soft_bounced``. A hard bounce
marks the address invalid at once, the same way an undeliverable SMS marks its number
(``ReplyStore.mark_invalid``): dispatch sends nothing more there and plans leave it out. Soft
bounces are counted per address, each message once, and the ``soft_bounce_limit``-th (a setting,
default 3) makes the address invalid too. A bounce heard again changes nothing (nor does a soft one
after a hard one), so reading the same mailbox twice is harmless."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from arrears.adapters.outreach.bounces import mailbox_bounces
from arrears.domain.outreach import BOUNCE_DELIVERY, EmailBounce, bounce_changes, without_addresses
from arrears.domain.vocabulary import Bounce
from arrears.services.outreach import gate as door
from arrears.services.outreach.ports import Outbox, StoredMessage
from arrears.services.outreach.replies import Callbacks
from arrears.services.workbench.errors import NotFound

OUR_DOMAIN = "@arrears"  # the right side of the Message-ID of every e-mail sent (adapters/outreach/smtp.py)


@dataclass(frozen=True, slots=True)
class RecordBounce:
    """One bounced e-mail: ``reference`` is its Message-ID (with or without <>) or its message id."""

    reference: str
    kind: Bounce
    at: datetime
    status: str = ""  # RFC 3463, e.g. 5.1.1
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReadBounceMailbox:
    """Read every DSN of the bounce mailbox at ``path`` (an mbox file, or a Maildir folder)."""

    path: Path
    maildir: bool = False


# What a mailbox held: new hard and soft bounces, bounces already recorded, bounces of messages this
# database did not send, messages that are no bounce; and the addresses the new ones made invalid.
TALLY = ("hard", "soft", "already_recorded", "unknown", "not_bounces", "addresses_invalid")


def record_bounce(command: RecordBounce, callbacks: Callbacks) -> dict[str, object]:
    """Record the bounce (NotFound when no e-mail of the outbox has that reference)."""
    with callbacks.unit_of_work() as uow:
        stored = _email(uow.outbox, command.reference)
        if stored is None:
            raise NotFound("未知的邮件", "unknown e-mail message", "message_id")
        said: dict[str, object] = {"message_id": stored.message_id, "bounce": command.kind.value}
        if not bounce_changes(stored.delivery, command.kind):
            return said | {"changed": False, "ledger": False, "address_invalid": None}
        ledger = stored.attempt_id is not None and door.record(callbacks.gate, stored.attempt_id, "bounced",
                                                               connection=uow.connection)
        why = " ".join(part for part in (command.kind.value, command.status, without_addresses(command.reason))
                       if part)
        uow.outbox.delivered(stored.message_id, BOUNCE_DELIVERY[command.kind], callbacks.clock(),
                             reason=f"bounce: {why}")
        invalid = command.kind is Bounce.HARD or uow.outbox.count_delivered(
            stored.contact_point_id, BOUNCE_DELIVERY[Bounce.SOFT]) >= callbacks.soft_bounce_limit
        if invalid:
            uow.replies.mark_invalid(stored.contact_point_id)
        uow.commit()
    return said | {"changed": True, "ledger": ledger, "address_invalid": invalid}


def _email(outbox: Outbox, reference: str) -> StoredMessage | None:
    """The e-mail a bounce names: by its Message-ID (the provider id), else by its message id."""
    ref = reference.strip().strip("<>")
    if not ref:
        return None
    found = outbox.by_provider_id(ref) or outbox.by_message_id(ref.removesuffix(OUR_DOMAIN))
    return found if found is not None and found.channel == "email" else None


def read_bounce_mailbox(command: ReadBounceMailbox, callbacks: Callbacks) -> dict[str, int]:
    """Record every bounce of the mailbox, each in its own transaction, and count them (``TALLY``);
    raises MailboxError when the mailbox cannot be read."""
    tally = dict.fromkeys(TALLY, 0)
    for found in mailbox_bounces(command.path, maildir=command.maildir):
        said = _recorded(found, callbacks)
        tally[str(said["tally"])] += 1
        tally["addresses_invalid"] += bool(said.get("address_invalid"))
    return tally


def _recorded(found: EmailBounce | None, callbacks: Callbacks) -> dict[str, object]:
    """What recording one message of the mailbox did, with the count it falls in (``tally``)."""
    if found is None:
        return {"tally": "not_bounces"}
    try:
        said = record_bounce(RecordBounce(found.reference, found.kind, found.at or callbacks.clock(), found.status,
                                          found.reason), callbacks)
    except NotFound:
        return {"tally": "unknown"}
    return said | {"tally": found.kind.value if said["changed"] else "already_recorded"}
