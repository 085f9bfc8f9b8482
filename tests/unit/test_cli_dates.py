"""Dates on the command line are YYYY-MM-DD, nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.entrypoints.cli.dates import parse_day


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-29", date(2026, 11, 29)), (" 2026-02-28 ", date(2026, 2, 28)),
    ("2026-12-32", None), ("2026-02-30", None), ("12/06/2026", None), ("20261129", None), ("2026-W48-7", None),
    ("", None),
])
def test_only_real_dates_written_yyyy_mm_dd_are_dates(text: str, day: date | None) -> None:
    assert parse_day(text) == day
