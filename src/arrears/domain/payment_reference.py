"""A payment reference per account and what a customer needs to pay (还款识别码与还款指引).

Pure: no clock, no IO. The reference is an ISO 11649 creditor reference (``RF`` + two check
digits + the body), checked like an IBAN (ISO 7064 MOD 97-10), so a mistyped reference is
refused before it reaches an account. The body is made by the caller from a keyed hash of the
account id (never the account id, a name or a card number), so the reference carries no
personal data and is stable for the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arrears.domain.money import Money

BODY_DIGITS = 12
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _numeric(text: str) -> int:
    """Letters as numbers (A=10 … Z=35), digits as themselves, read as one integer."""
    return int("".join(str(_ALNUM.index(ch)) for ch in text))


def creditor_reference(body: str) -> str:
    """``RF`` + check digits + ``body`` (1-21 letters or digits)."""
    body = body.upper()
    if not 1 <= len(body) <= 21 or any(ch not in _ALNUM for ch in body):
        raise ValueError("a reference body is 1 to 21 letters or digits")
    check = 98 - _numeric(body + "RF00") % 97
    return f"RF{check:02d}{body}"


def normalise(text: str) -> str:
    """A reference as typed (spaces, lower case) in its stored form."""
    return "".join(text.split()).upper()


def is_valid_reference(text: str) -> bool:
    """Whether ``text`` is a well-formed creditor reference whose check digits agree."""
    ref = normalise(text)
    if not (5 <= len(ref) <= 25 and ref.startswith("RF") and ref[2:4].isdigit()):
        return False
    if any(ch not in _ALNUM for ch in ref):
        return False
    return _numeric(ref[4:] + ref[:4]) % 97 == 1


def reference_body(digest_hex: str) -> str:
    """The 12-digit body from a keyed hash of the account id (hex)."""
    return f"{int(digest_hex, 16) % 10**BODY_DIGITS:0{BODY_DIGITS}d}"


def grouped(reference: str) -> str:
    """The reference in groups of four, as printed for people (``RF18 5390 0754 7034``)."""
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


@dataclass(frozen=True, slots=True)
class PayInstruction:
    """How to pay: to whom, where, through which provider, quoting which reference; ``amount``
    is a suggestion (the past-due amount), the customer may pay any amount."""

    provider: str  # bank_transfer | unionpay | wechat_pay | alipay ...
    payee: str
    payee_account: str
    reference: str
    amount: Money | None = None

    def lines(self) -> tuple[tuple[str, str], ...]:
        rows = [("provider", self.provider), ("payee", self.payee), ("account", self.payee_account),
                ("reference", self.reference)]
        if self.amount is not None:
            rows.append(("amount", f"{self.amount.currency} {self.amount.amount}"))
        return tuple(rows)


@dataclass(frozen=True, slots=True)
class Notice:
    provider: str
    transaction_id: str
    reference: str
    account_id: str
    payment_id: str
    amount: Money
    paid_at: datetime
    received_at: datetime
    received_by: str


class NoticeRecorded(Exception):
    """The (provider, transaction id) was recorded by another transaction meanwhile."""
