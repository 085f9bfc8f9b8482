"""E-mail over SMTP (outreach-v1): ``smtp://HOST:PORT`` or ``smtps://USER:PASSWORD@HOST:PORT``.

``smtps`` is TLS from the first byte; a server that does not speak it is asked for STARTTLS
instead. Over ``smtp``, STARTTLS is used whenever the server offers it. Credentials are sent
only over TLS, or to a server on this machine. One connection is kept and reopened when it
drops. A 5xx answer rejects the message; a 4xx answer or a broken connection is retried. The
Message-ID is made from the message id, so a retried message can be recognised."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr
from ipaddress import ip_address
from urllib.parse import unquote, urlsplit

from arrears.domain.outreach import OutboundMessage, SendResult


class SmtpConfigError(ValueError):
    pass


def _loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class SmtpMailer:
    def __init__(self, url: str, mail_from: str, *, timeout: float = 30.0, cafile: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpConfigError("ARREARS_SMTP_URL: expected smtp://HOST:PORT or smtps://USER:PASSWORD@HOST:PORT")
        self.implicit_tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.mail_from, self.timeout = mail_from, timeout
        self.context = ssl.create_default_context(cafile=cafile)
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        tls = False
        if self.implicit_tls:
            try:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
                tls = True
            except (ssl.SSLError, ConnectionError):
                # a server that speaks STARTTLS only answers a TLS hello with its plain greeting (an
                # SSL error) or, as it reads the hello as a bad command, by closing the connection
                # first (a reset): either way, again without implicit TLS, then STARTTLS below
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if not tls and smtp.has_extn("starttls"):
            smtp.starttls(context=self.context)
            smtp.ehlo()
            tls = True
        if self.user is not None:
            if not tls and not _loopback(self.host):
                smtp.close()
                raise SmtpConfigError(f"{self.host} offers no TLS: the SMTP password is not sent in clear")
            smtp.login(self.user, self.password or "")
        return smtp

    def send(self, message: OutboundMessage) -> SendResult:
        mail = EmailMessage()
        mail["From"] = formataddr((message.sender, self.mail_from)) if message.sender else self.mail_from
        mail["To"] = message.to
        mail["Subject"] = message.subject or message.sender
        mail["Message-ID"] = f"<{message.message_id}@arrears>"
        mail.set_content(message.text)
        for attempt in (1, 2):  # a kept connection may have been closed by the server
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                self._smtp.send_message(mail)
                return SendResult.accepted(mail["Message-ID"].strip("<>"))
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    return SendResult.retryable("the SMTP server closed the connection")
            except smtplib.SMTPAuthenticationError:
                self._smtp = None
                return SendResult.rejected("the SMTP server refused the user and password of ARREARS_SMTP_URL")
            except smtplib.SMTPRecipientsRefused as error:
                code = next(iter(error.recipients.values()))[0]
                return _by_code(code, "the SMTP server refused the recipient")
            except smtplib.SMTPResponseException as error:
                return _by_code(error.smtp_code, f"the SMTP server answered {error.smtp_code}")
            except smtplib.SMTPException as error:
                self.close()
                return SendResult.retryable(f"SMTP: {type(error).__name__}")
            except SmtpConfigError as error:
                return SendResult.rejected(str(error))
            except OSError as error:
                self._smtp = None
                return SendResult.retryable(f"the SMTP server could not be reached ({type(error).__name__})")
        return SendResult.retryable("SMTP: no answer")

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None


def _by_code(code: int, said: str) -> SendResult:
    return SendResult.rejected(said) if 500 <= code < 600 else SendResult.retryable(said)
