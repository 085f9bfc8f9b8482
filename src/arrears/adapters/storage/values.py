"""Exact conversions between domain values and column values: money as whole cents,
instants in UTC (SQLite hands them back naive; they are UTC by construction)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from arrears.domain.money import Money


class StoredValueError(ValueError):
    """A value that cannot be stored exactly."""


def to_cents(money: Money) -> int:
    """Whole cents; refuses an amount finer than the fen instead of rounding it."""
    scaled = money.amount * 100
    if scaled != scaled.to_integral_value():
        raise StoredValueError(f"{money.amount} {money.currency} is finer than a cent")
    return int(scaled)


def from_cents(cents: int, currency: str) -> Money:
    return Money(Decimal(int(cents)).scaleb(-2), currency)


def optional_money(cents: int | None, currency: str | None) -> Money | None:
    return None if cents is None or currency is None else from_cents(cents, currency)


def to_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise StoredValueError("an instant must carry its time zone")
    return at.astimezone(UTC)


def from_utc(at: datetime) -> datetime:
    """A stored instant as an aware UTC datetime, whichever database returned it."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def optional_utc(at: datetime | None) -> datetime | None:
    return None if at is None else from_utc(at)
