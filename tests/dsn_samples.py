"""Delivery status notifications shaped like the ones real mail servers send back (RFC 3464), for
the message whose Message-ID is ``message_id`` sent to ``address``: Postfix's hard bounce (5.1.1,
the original's headers as ``text/rfc822-headers``), a soft bounce after retries (4.2.2 mailbox
full, the whole original as ``message/rfc822``), a delay warning (no bounce), an out-of-office
reply (no DSN), and an mbox file of them as a bounce mailbox holds them."""

from __future__ import annotations

import mailbox
from pathlib import Path

SENDER = "collections@bank.example"


def postfix_hard(message_id: str, address: str) -> bytes:
    return f"""Return-Path: <>
Received: by mx.bank.example (Postfix)
\tid 4F2A81C0123; Mon, 30 Nov 2026 11:00:07 +0800 (CST)
Date: Mon, 30 Nov 2026 11:00:07 +0800 (CST)
From: MAILER-DAEMON@mx.bank.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {SENDER}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F2A81C0123.1764471607/mx.bank.example"
Message-Id: <20261130030007.4F2A81C0124@mx.bank.example>

This is a MIME-encapsulated message.

--4F2A81C0123.1764471607/mx.bank.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.bank.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{address}>: host mx.mail.example[203.0.113.5] said: 550 5.1.1
    <{address}>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--4F2A81C0123.1764471607/mx.bank.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bank.example
X-Postfix-Queue-ID: 4F2A81C0123
X-Postfix-Sender: rfc822; {SENDER}
Arrival-Date: Mon, 30 Nov 2026 11:00:05 +0800 (CST)

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.mail.example
Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address
    rejected: User unknown in virtual mailbox table

--4F2A81C0123.1764471607/mx.bank.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{SENDER}>
Received: from arrears.bank.example (arrears.bank.example [10.0.0.7])
\tby mx.bank.example (Postfix) with ESMTPS id 4F2A81C0123
\tfor <{address}>; Mon, 30 Nov 2026 11:00:05 +0800 (CST)
From: =?utf-8?b?5L+h55So5Y2h5Lit5b+D?= <{SENDER}>
To: {address}
Subject: =?utf-8?b?5L+h55So5Y2h5Lit5b+D?=
Message-ID: <{message_id}>
MIME-Version: 1.0

--4F2A81C0123.1764471607/mx.bank.example--
""".replace("\n", "\r\n").encode()


def mailbox_full(message_id: str, address: str, *, action: str = "failed", status: str = "4.2.2") -> bytes:
    """The sending server gave up after days of 452 answers (``action="delayed"``: its warning)."""
    return f"""Date: Thu, 03 Dec 2026 11:02:00 +0800
From: Mail Delivery Subsystem <MAILER-DAEMON@relay.bank.example>
To: <{SENDER}>
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="B7nZ3-relay"; report-type="delivery-status"

--B7nZ3-relay
Content-Type: text/plain; charset=utf-8

The original message was received at Mon, 30 Nov 2026 11:00:05 +0800
   ----- The following addresses had permanent fatal errors -----
<{address}>
    (reason: 452 4.2.2 Mailbox full)

--B7nZ3-relay
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.bank.example
Received-From-MTA: DNS; arrears.bank.example
Arrival-Date: Mon, 30 Nov 2026 11:00:05 +0800

Final-Recipient: RFC822; {address}
Action: {action}
Status: {status}
Remote-MTA: DNS; mx.mail.example
Diagnostic-Code: SMTP; 452 4.2.2 Mailbox full: {address}
Last-Attempt-Date: Thu, 03 Dec 2026 11:01:58 +0800

--B7nZ3-relay
Content-Type: message/rfc822

From: =?utf-8?b?5L+h55So5Y2h5Lit5b+D?= <{SENDER}>
To: {address}
Subject: =?utf-8?b?5L+h55So5Y2h5Lit5b+D?=
Message-ID: <{message_id}>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

The message itself.

--B7nZ3-relay--
""".replace("\n", "\r\n").encode()


def out_of_office(address: str) -> bytes:
    return f"""Date: Mon, 30 Nov 2026 11:03:00 +0800
From: <{address}>
To: <{SENDER}>
Subject: Out of office
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

I am away until 7 December.
""".replace("\n", "\r\n").encode()


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path, create=True)
    try:
        for raw in messages:
            box.add(raw)
        box.flush()
    finally:
        box.close()
    return path
