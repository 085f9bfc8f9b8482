"""Dates from outside are YYYY-MM-DD (instants ISO 8601 with their offset), between 1900-01-01 and
2999-12-31, nothing else: one reader (``domain.dates``) for the API, the pages and the command line."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.domain.dates import DateRefused, NotADate, day_of, instant_of


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-29", date(2026, 11, 29)), (" 2026-02-28 ", date(2026, 2, 28)),
    ("1900-01-01", date(1900, 1, 1)), ("2999-12-31", date(2999, 12, 31)),
])
def test_real_dates_written_yyyy_mm_dd_within_the_range_are_dates(text: str, day: date) -> None:
    assert day_of(text) == day


@pytest.mark.parametrize("text", ["2026-12-32", "2026-02-30", "12/06/2026", "20261129", "2026-W48-7", "",
                                  "10000-01-01"])
def test_anything_else_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate):
        day_of(text)


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_a_date_off_the_range_is_refused_naming_the_range(text: str) -> None:
    with pytest.raises(DateRefused, match="between 1900-01-01 and 2999-12-31") as refused:
        day_of(text)
    assert not isinstance(refused.value, NotADate)


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+08:00", "10000-01-01T00:00"])
def test_an_instant_off_the_range_or_the_calendar_is_refused(text: str) -> None:
    with pytest.raises(DateRefused):
        instant_of(text)


def test_an_instant_without_its_offset_is_refused_unless_a_local_time_is_asked_for() -> None:
    with pytest.raises(DateRefused, match="offset"):
        instant_of("2026-12-01T10:00")
    assert instant_of("2026-12-01T10:00", aware=False).hour == 10
