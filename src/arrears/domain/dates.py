"""The dates and instants arrears accepts from outside: 1900-01-01 to 2999-12-31.

Wider than any birth date, due date or contact, and narrow enough that a day added, a week of
business days or a time zone never runs off Python's calendar (0001-01-01 .. 9999-12-31).
Pure: the bound is checked, nothing is read.
"""

from __future__ import annotations

from datetime import date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def date_in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def out_of_range(zh: str, en: str) -> tuple[str, str]:
    """The refusal, in Chinese and English, naming the field by its label in each language."""
    return (f"{zh}须在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间",
            f"{en} is between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
