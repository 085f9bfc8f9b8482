"""Dates on the command line: one option type for every ``--as-of`` (and other dates).

``--as-of 2026-12-32`` ends with ``--as-of: '2026-12-32' is not a date (YYYY-MM-DD)`` and
exit code 2 (a usage error), never a traceback. Only ``YYYY-MM-DD`` within ``domain.dates``'
range is a date here (Python's ``date.fromisoformat`` would also take ``20261129`` or
``2026-W48-7``; ``0001-01-01`` and ``9999-12-31`` are refused, naming the range).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import typer

from arrears.domain import dates


class NotADate(typer.BadParameter):
    """A usage error (exit code 2) worded ``--as-of: '2026-12-32' is not a date (YYYY-MM-DD)``."""

    def format_message(self) -> str:
        return self.message


def _day_parser(option: str) -> Callable[[Any], date]:
    def parse(value: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return dates.day_of(str(value))
        except dates.NotADate:
            raise NotADate(f"{option}: {value!r} is not a date (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD") from None
        except dates.DateRefused as refused:
            raise NotADate(f"{option}: {value!r}: {refused.en} / {refused.zh}") from None

    return parse


def days_of(text: str, option: str) -> list[date]:
    """Comma-separated dates (``2026-09-30,2026-10-31``); a usage error names the bad one."""
    parse = _day_parser(option)
    return [parse(part) for part in text.split(",") if part.strip()]


def date_option(option: str = "--as-of", help: str = "YYYY-MM-DD") -> Any:
    """A Typer option holding a date: ``Annotated[date, date_option("--as-of", "...")]``."""
    return typer.Option(option, parser=_day_parser(option), metavar="YYYY-MM-DD", help=help)
