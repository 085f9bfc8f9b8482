"""Money: an exact Decimal amount with its currency. Floats are refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINOR_UNIT = Decimal("0.01")
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class MoneyError(ValueError):
    """An amount that is not valid money."""


def parse_amount(text: str, *, max_decimals: int = 2) -> Decimal:
    """Parse decimal text such as ``1234.50``; at most ``max_decimals`` decimals."""
    if not isinstance(text, str):
        raise MoneyError(f"expected decimal text, got {type(text).__name__}")
    cleaned = text.strip()
    if not cleaned:
        raise MoneyError("empty amount")
    if not _DECIMAL_TEXT.fullmatch(cleaned):
        raise MoneyError(f"not a plain decimal number: {cleaned!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"not a decimal number: {cleaned!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not a finite number: {cleaned!r}")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > max_decimals:
        raise MoneyError(f"{cleaned!r} has more than {max_decimals} decimals")
    return value


_TYPED = re.compile(r"[¥￥]?\s*(?P<number>[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?)\s*(元|块|CNY|RMB)?", re.IGNORECASE)


def parse_typed_amount(text: str) -> Decimal:
    """An amount as a person types it, in the forms the pages show and Chinese writes:
    ``1500``, ``1,500.00``, ``1500元``, ``¥1,500``; thousands separators only where they belong."""
    match = _TYPED.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise MoneyError(f"not an amount: {text!r}")
    return parse_amount(match["number"].replace(",", ""))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency. Arithmetic is exact; mixing currencies is an error."""

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, Decimal | int):
            raise MoneyError(f"money needs Decimal or int, not {type(self.amount).__name__}")
        if isinstance(self.amount, int):
            object.__setattr__(self, "amount", Decimal(self.amount))
        if not self.amount.is_finite():
            raise MoneyError("money must be finite")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise MoneyError(f"currency must be an ISO 4217 code, not {self.currency!r}")

    @classmethod
    def of(cls, text: str, currency: str = "CNY") -> Money:
        return cls(parse_amount(text), currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        return cls(Decimal("0.00"), currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            raise MoneyError("money can only be multiplied by Decimal or int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def rounded(self, rounding: str = ROUND_HALF_UP) -> Money:
        """Round to the minor unit (the fen), half-up unless a rule says otherwise."""
        return Money(self.amount.quantize(MINOR_UNIT, rounding=rounding), self.currency)

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount.quantize(MINOR_UNIT, rounding=ROUND_HALF_UP)} {self.currency}"


def total(items: list[Money] | tuple[Money, ...], currency: str = "CNY") -> Money:
    """The exact sum of amounts in one currency (zero for none)."""
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result


_CHINESE_UNIT = {"CNY": "元", "USD": "美元", "GBP": "英镑", "HKD": "港元", "EUR": "欧元"}


def cents_text(cents: int, *, grouped: bool = True) -> str:
    """Whole minor units as decimal text: ``3449999`` -> ``34,499.99`` (``34499.99`` ungrouped)."""
    sign = "-" if cents < 0 else ""
    whole, fen = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{fen:02d}" if grouped else f"{sign}{whole}.{fen:02d}"


def spoken_amount(cents: int, currency: str, language: str) -> str:
    """An amount as a reader of ``language`` writes it: ``34,499.99元`` in Chinese, ``CNY 34,499.99`` in English."""
    text = cents_text(cents)
    if language != "en" and currency in _CHINESE_UNIT:
        return f"{text}{_CHINESE_UNIT[currency]}"
    return f"{currency} {text}"

