"""Personal data as a distinct type: masked wherever it is shown, never by accident.

A customer's personal fields are masked as one set (``mask_personal``), so that the masks
shown together reveal no more than each alone: a resident ID keeps only its last 4
characters, because its first 6 digits are the place of registration (which the address
would complete) and the next 8 the birth date; the birth date is never shown, only an age
band; an address shows its province (or US state) and nothing below it; a name keeps its
surname (or first letter); a phone number its last 4 digits.

Every mask is idempotent (masking a mask gives the same mask), so masks stored by earlier
versions can be brought to these rules without the plaintext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from arrears.domain.regions import province_of, us_state_of

HIDDEN = "****"  # what stands for the hidden part of an address, whatever its length


class PersonalKind(StrEnum):
    NAME = "name"
    NATIONAL_ID = "national_id"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"


def _last_four(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    """``13800138000`` -> ``*******8000``; a ``+86`` prefix is dropped first."""
    digits = value[1:] if value.startswith("+") else value
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return _last_four(digits)


def mask_national_id(value: str) -> str:
    """``110101199003071234`` -> ``**************1234``: not the region, not the birth date."""
    return _last_four(value)


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张**`` (the surname); ``John Smith`` -> ``J*** *****`` (the first letter)."""
    if not value:
        return value
    if value.isascii():
        return value[:1] + "".join(" " if ch == " " else "*" for ch in value[1:])
    return value[:1] + "*" * (len(value) - 1)


def mask_email(value: str) -> str:
    """``zhang.wei@qq.com`` -> ``z***@qq.com``."""
    local, _, domain = value.partition("@")
    if not domain:
        return mask_name(value)
    return local[:1].replace("*", "") + "***@" + domain


def mask_address(value: str) -> str:
    """The province (``广东省****``) or US state (``****, IL``) only; no city, district or street."""
    province = province_of(value)
    if province:
        return province + HIDDEN
    state = us_state_of(value)
    if state:
        return f"{HIDDEN}, {state}"
    return HIDDEN if value else value


PHONE_KINDS = frozenset({"mobile", "home", "work"})
EMAIL_KINDS = frozenset({"email", "personal_email", "work_email"})


def mask_contact(kind: str, value: str) -> str:
    """A contact point's value by its kind: phones, e-mail addresses, postal addresses."""
    if kind in PHONE_KINDS:
        return mask_phone(value)
    return mask_email(value) if kind in EMAIL_KINDS else mask_address(value)


MASKERS = {
    PersonalKind.NAME: mask_name,
    PersonalKind.NATIONAL_ID: mask_national_id,
    PersonalKind.PHONE: mask_phone,
    PersonalKind.EMAIL: mask_email,
    PersonalKind.ADDRESS: mask_address,
}


def mask(kind: PersonalKind, value: str) -> str:
    return MASKERS[kind](value)


# ---------------------------------------------------------------- the birth date
@dataclass(frozen=True, slots=True)
class AgeBand:
    """Ten years of age (``30–39岁 / 30-39``), 90 and over in one band: the birth date stays hidden."""

    low: int
    high: int | None  # None: and over

    @property
    def zh(self) -> str:
        return f"{self.low}岁以上" if self.high is None else f"{self.low}–{self.high}岁"

    @property
    def en(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


OLDEST_BAND = 90


def age_on(birth: date, as_of: date) -> int:
    """Whole years of age on ``as_of``."""
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def age_band(birth: date | None, as_of: date) -> AgeBand | None:
    """The age band on ``as_of``; None without a birth date or for one after ``as_of``."""
    if birth is None or birth > as_of:
        return None
    low = min(age_on(birth, as_of) // 10 * 10, OLDEST_BAND)
    return AgeBand(low, None if low == OLDEST_BAND else low + 9)


# ---------------------------------------------------------------- the set
class ContactValue(NamedTuple):
    kind: str
    value: str


class PersonalFields(NamedTuple):
    """A customer's personal fields, in plain text or as earlier masks (masks are idempotent)."""

    name: str | None = None
    national_id: str | None = None
    address: str | None = None
    birth_date: date | None = None
    contact_points: tuple[ContactValue, ...] = ()


class PersonalMasks(NamedTuple):
    """What may be shown of a customer without a reveal, all fields together."""

    name: str | None
    national_id: str | None
    address: str | None
    age_band: AgeBand | None
    contact_points: tuple[str, ...]


def mask_personal(fields: PersonalFields, as_of: date | None = None) -> PersonalMasks:
    """The masks of a customer's personal fields, as one set: together they reveal no more
    than each alone (at most 4 characters of the resident ID, no birth date, no place below
    the province). ``as_of`` dates the age band."""
    name, national_id, address, birth_date, points = fields
    return PersonalMasks(
        None if name is None else mask_name(name),
        None if national_id is None else mask_national_id(national_id),
        None if address is None else mask_address(address),
        None if as_of is None else age_band(birth_date, as_of),
        tuple([mask_contact(kind, value) for kind, value in points]) if points else (),
    )


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
