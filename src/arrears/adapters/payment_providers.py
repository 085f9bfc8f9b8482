"""Payment providers (``services.arrangements.payment_notices.PaymentProvider``) and the QR
code of a pay instruction.

``BankTransfer`` is the one adapter today: the payee, the bank account and the bank come from
settings (``ARREARS_PAYMENT_PAYEE``, ``ARREARS_PAYMENT_ACCOUNT``, ``ARREARS_PAYMENT_BANK``).
A UnionPay, WeChat Pay or Alipay adapter is another class with the same two methods, chosen by
``ARREARS_PAYMENT_PROVIDER`` in ``bootstrap.payment_provider``; its confirmations come back
through ``POST /v1/payments/notify`` like the bank's."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from arrears.domain.money import Money
from arrears.domain.payment_reference import PayInstruction


@dataclass(frozen=True, slots=True)
class BankTransfer:
    payee: str
    account: str
    bank: str = ""
    name: str = "bank_transfer"

    def instruction(self, reference: str, amount: Money | None) -> PayInstruction:
        where = f"{self.bank} {self.account}".strip()
        return PayInstruction(self.name, self.payee, where, reference, amount)

    def qr_payload(self, instruction: PayInstruction) -> str:
        """Plain text a phone's camera shows as it is: who, where, which reference, how much."""
        return "\n".join(f"{label}: {value}" for label, value in instruction.lines())


def qr_svg(payload: str, *, scale: int = 4) -> str:
    """The QR code of ``payload`` as an SVG document (error correction M, a quiet zone of 4)."""
    qr = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title="QR")
    return out.getvalue().decode()


class ProviderNotConfigured(ValueError):
    """A provider the settings name cannot be built; the message names the setting."""


KNOWN = ("bank_transfer",)


def provider_from(name: str, payee: str, account: str | None, bank: str = "") -> BankTransfer | None:
    """The provider the settings name; None when payments are not configured (no account)."""
    if name not in KNOWN:
        raise ProviderNotConfigured(f"ARREARS_PAYMENT_PROVIDER: {name!r} is not one of {', '.join(KNOWN)}")
    if not account:
        return None
    return BankTransfer(payee, account, bank)
