"""Monthly due dates that never drift: the first due date's day of month, clamped to the
length of each month (31 January -> 28/29 February -> 31 March)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by whole months, its day clamped to the target month's length."""
    month_index = anchor.month - 1 + months
    year = anchor.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def monthly_due_dates(first_due: date, count: int) -> tuple[date, ...]:
    """``count`` due dates, each computed from ``first_due`` (not from the previous one)."""
    return tuple(add_months(first_due, index) for index in range(count))
