"""Agency commission (委外佣金): what an agency earns on cash recovered within its placements, and
what is held back for compliance findings on its contacts. Pure; money is Decimal, rounded to the
fen half-up once per line.

- The agreement sets a rate by the account's bucket when placed (``by_bucket``), or by the amount
  of each payment (``bands``: the first band whose ``upto`` the amount does not exceed; the last
  band has no limit). A payment counts when it was received while the account was placed with the
  agency (from the placement day to its recall, or its last day), and in the statement's month.
- Findings are the agency's gate denials and complaints on its contacts in the month. Each finding
  holds back ``holdback_per_finding`` of the month's commission, at most all of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


class CommissionError(ValueError):
    """An agreement that cannot be applied."""


@dataclass(frozen=True, slots=True)
class Band:
    upto: Decimal | None  # None: no limit (the last band)
    rate: Decimal


@dataclass(frozen=True)
class Agreement:
    agency_id: str
    by_bucket: tuple[tuple[str, Decimal], ...] = ()
    bands: tuple[Band, ...] = ()
    holdback_per_finding: Decimal = Decimal("0")

    def rate(self, bucket: str | None, amount: Decimal) -> tuple[Decimal, str]:
        """The rate of one payment, and which term gave it."""
        if self.by_bucket:
            rates = dict(self.by_bucket)
            if bucket not in rates:
                return Decimal("0"), f"bucket {bucket or '-'} not in the agreement"
            return rates[bucket], f"bucket {bucket}"
        for band in self.bands:
            if band.upto is None or amount <= band.upto:
                return band.rate, f"up to {band.upto}" if band.upto is not None else "above the last band"
        raise CommissionError(f"{self.agency_id}: no band takes {amount}")


@dataclass(frozen=True, slots=True)
class PlacedPayment:
    account_id: str
    paid_on: date
    amount: Decimal
    bucket: str | None  # when placed


@dataclass(frozen=True, slots=True)
class StatementLine:
    account_id: str
    paid_on: date
    amount: Decimal
    bucket: str | None
    rate: Decimal
    commission: Decimal
    term: str


@dataclass(frozen=True)
class Statement:
    agency_id: str
    month: str  # YYYY-MM
    lines: tuple[StatementLine, ...]
    recovered: Decimal
    gross: Decimal
    findings: int
    held_back: Decimal
    net: Decimal


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def statement(agreement: Agreement, month: str, payments: Iterable[PlacedPayment], findings: int) -> Statement:
    """The month's statement of one agency from the payments received within its placements."""
    lines: list[StatementLine] = []
    for p in sorted(payments, key=lambda p: (p.paid_on, p.account_id)):
        rate, term = agreement.rate(p.bucket, p.amount)
        lines.append(StatementLine(p.account_id, p.paid_on, p.amount, p.bucket, rate, _fen(p.amount * rate), term))
    gross = sum((line.commission for line in lines), Decimal("0.00"))
    share = min(Decimal(1), agreement.holdback_per_finding * findings)
    held = _fen(gross * share)
    return Statement(agreement.agency_id, month, tuple(lines), sum((p.amount for p in lines), Decimal("0.00")),
                     gross, findings, held, gross - held)


def parse_bands(raw: Sequence[tuple[Decimal | None, Decimal]]) -> tuple[Band, ...]:
    """Bands in increasing order, the last one without a limit."""
    bands = tuple(Band(upto, rate) for upto, rate in raw)
    limits = [b.upto for b in bands[:-1]]
    if not bands or bands[-1].upto is not None or any(u is None for u in limits) or limits != sorted(
            u for u in limits if u is not None):
        raise CommissionError("bands rise in order and the last has no upto")
    return bands
