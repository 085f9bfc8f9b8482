"""Bounced e-mail as mail servers report it: delivery status notifications (RFC 3464,
``multipart/report; report-type=delivery-status``) read from a bounce mailbox, an mbox file or a
Maildir, with the standard library's ``email`` and ``mailbox``.

A DSN names the message it reports on by the original's headers (a ``message/rfc822`` or
``text/rfc822-headers`` part): its Message-ID is ours (``<message id@arrears>``, see ``smtp.py``).
Each recipient block says what happened (``Action``) and why (``Status``, ``Diagnostic-Code``);
``domain.outreach.bounce_of`` tells a hard bounce from a soft one. A message that is no DSN, or a
DSN of a delivery, a relay or a delay warning, is no bounce (None)."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from arrears.domain.outreach import EmailBounce, bounce_of, without_addresses
from arrears.domain.vocabulary import Bounce

ORIGINAL_HEADERS = frozenset({"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"})


class MailboxError(ValueError):
    """The bounce mailbox cannot be read (no such file or folder, not a mailbox)."""


def mailbox_bounces(path: Path, *, maildir: bool = False) -> Iterator[EmailBounce | None]:
    """Each message of the mbox file (or the Maildir) at ``path``, as a bounce or None."""
    try:
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False) if maildir \
            else mailbox.mbox(path, create=False)
    except (mailbox.NoSuchMailboxError, OSError) as error:
        kind = "Maildir" if maildir else "mbox file"
        raise MailboxError(f"{path}: no {kind} there ({type(error).__name__})") from None
    if not maildir and path.is_dir():
        raise MailboxError(f"{path}: a folder, not an mbox file (a Maildir is read with --maildir)")
    try:
        for key in box.iterkeys():
            try:
                found = parse_dsn(box.get_bytes(key))
            except (MessageError, LookupError, ValueError):  # a mangled message is no bounce we can read
                found = None
            yield found
    finally:
        box.close()


def parse_dsn(raw: bytes) -> EmailBounce | None:
    """The bounce a delivery status notification reports, or None when it reports none."""
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(mail, EmailMessage)
    parts = list(mail.iter_parts()) if _is_dsn(mail) else []
    blocks = _status_blocks(parts)
    found = _worst(blocks[1:])
    if found is None:
        return None
    kind, recipient = found
    per_message = blocks[0]
    reference = _original_message_id(parts) or _text(per_message, "Original-Envelope-Id")
    diagnostic = _text(recipient, "Diagnostic-Code")
    when = _date(_text(recipient, "Last-Attempt-Date")) or _date(_text(per_message, "Arrival-Date")) \
        or _date(_text(mail, "Date"))
    status = (_text(recipient, "Status").split() or [""])[0]
    return EmailBounce(reference.strip().strip("<>"), kind, status, when,
                       without_addresses(diagnostic.partition(";")[2] or diagnostic))


def _is_dsn(mail: EmailMessage) -> bool:
    return mail.get_content_type() == "multipart/report" and \
        str(mail.get_param("report-type", "")).casefold() == "delivery-status"


def _status_blocks(parts: Sequence[Message[Any, Any]]) -> list[Message[Any, Any]]:
    """The ``message/delivery-status`` part's field blocks: per message first, then one a recipient."""
    report = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    payload = report.get_payload() if report is not None else None
    return [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []


def _text(block: Message[Any, Any], name: str) -> str:
    """A header's value as written, on one line ('' when absent): read raw, so that a header the
    standard library cannot parse (a malformed Message-ID) does not stop the mailbox."""
    wanted = name.casefold()
    return next((" ".join(str(value).split()) for key, value in block.raw_items() if key.casefold() == wanted), "")


def _worst(recipients: Sequence[Message[Any, Any]]) -> tuple[Bounce, Message[Any, Any]] | None:
    """The recipient block with the hardest bounce (we send one recipient a message)."""
    judged = [(bounce_of(_text(r, "Action"), _text(r, "Status")), r) for r in recipients]
    bounced = [(kind, r) for kind, r in judged if kind is not None]
    hard = [(kind, r) for kind, r in bounced if kind is Bounce.HARD]
    return next(iter(hard or bounced), None)


def _original_message_id(parts: Sequence[Message[Any, Any]]) -> str:
    for part in parts:
        if part.get_content_type() not in ORIGINAL_HEADERS:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            return next((_text(m, "Message-ID") for m in payload if isinstance(m, Message)), "")
        text = part.get_payload(decode=True)
        headers = HeaderParser().parsestr(text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
        return _text(headers, "Message-ID")
    return ""


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
