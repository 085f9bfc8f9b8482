"""The dates and instants arrears accepts from outside: 1900-01-01 to 2999-12-31.

Wider than any birth date, due date or contact, and narrow enough that a day added, a week of
business days or a time zone never runs off Python's calendar (0001-01-01 .. 9999-12-31).
Every entrypoint reads a date or an instant through this module (the API's ``Day`` and
``Instant`` types, the pages' forms, the command line's options), so ``0001-01-01``,
``9999-12-31`` or the year 10000 is a clear refusal everywhere, never an overflow further in.
Pure: the bound is checked, nothing is read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T", date, datetime)


class DateRefused(ValueError):
    """A date or instant arrears does not take, with the reason in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.zh, self.en = zh, en


class NotADate(DateRefused):
    """Text that is not a date or an instant at all (rather than one out of range)."""


def date_in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def out_of_range(zh: str, en: str) -> tuple[str, str]:
    """The refusal, in Chinese and English, naming the field by its label in each language."""
    return (f"{zh}须在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间",
            f"{en} is between {EARLIEST.isoformat()} and {LATEST.isoformat()}")


def within(value: T, zh: str = "日期", en: str = "the date") -> T:
    """The value itself when it lies within the range; else ``DateRefused`` naming the field."""
    if not date_in_range(value):
        raise DateRefused(*out_of_range(zh, en))
    return value


def day_of(text: str, zh: str = "日期", en: str = "the date") -> date:
    """The date written ``YYYY-MM-DD`` (only that form), within the range; else ``DateRefused``."""
    text = text.strip()
    try:
        day = date.fromisoformat(text) if DAY_RE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise NotADate(f"{zh}应为 YYYY-MM-DD 格式的有效日期", f"{en} is a valid date written YYYY-MM-DD")
    return within(day, zh, en)


def instant_of(text: str, zh: str = "时间", en: str = "the time", *, aware: bool = True) -> datetime:
    """The ISO 8601 instant, with its offset unless ``aware`` is False, within the range; else
    ``DateRefused``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise NotADate(f"{zh}应为 ISO 8601 格式的有效时间", f"{en} is a valid ISO 8601 time") from None
    if aware and value.tzinfo is None:
        raise DateRefused(f"{zh}须带时区（如 +08:00）", f"{en} carries its time zone offset (e.g. +08:00)")
    return within(value, zh, en)
