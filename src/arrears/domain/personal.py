"""Personal data as a distinct type: masked wherever it is shown, never by accident."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PersonalKind(StrEnum):
    NAME = "name"
    NATIONAL_ID = "national_id"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"


def mask_phone(value: str) -> str:
    """``13800138000`` -> ``138****8000``; keeps a ``+86`` style prefix off the mask."""
    digits = value[1:] if value.startswith("+") else value
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_national_id(value: str) -> str:
    """``110101199003071234`` -> ``110***********1234``."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张**``; ``John Smith`` -> ``J*** S****``."""
    if not value:
        return value
    if value.isascii():
        return " ".join(p[:1] + "*" * (len(p) - 1) for p in value.split())
    return value[:1] + "*" * (len(value) - 1)


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else mask_name(value)


def mask_address(value: str) -> str:
    """Keep the first few characters (province, city); hide the rest."""
    keep = 6 if not value.isascii() else 8
    return value[:keep] + "*" * max(len(value) - keep, 0)


MASKERS = {
    PersonalKind.NAME: mask_name,
    PersonalKind.NATIONAL_ID: mask_national_id,
    PersonalKind.PHONE: mask_phone,
    PersonalKind.EMAIL: mask_email,
    PersonalKind.ADDRESS: mask_address,
}


def mask(kind: PersonalKind, value: str) -> str:
    return MASKERS[kind](value)


@dataclass(frozen=True, slots=True)
class Personal:
    """A piece of personal data. ``str``/``repr`` show it masked; ``reveal()`` is explicit."""

    kind: PersonalKind
    _value: str

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self.kind, self._value)

    def __repr__(self) -> str:
        return f"Personal({self.kind.value}={self.masked})"

    def __str__(self) -> str:
        return self.masked
