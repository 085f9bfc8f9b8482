"""Filters on text typed by a user: the LIKE wildcards in it are escaped, always.

A user's ``%`` or ``_`` is a character to look for, not a pattern (``flag=%`` would match
every account). Every LIKE built from user input goes through ``escape_like``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.sql.elements import ColumnElement as Column

ESCAPE = "\\"


def escape_like(text: str, escape: str = ESCAPE) -> str:
    """``text`` with the escape character, ``%`` and ``_`` escaped for a LIKE pattern."""
    return text.replace(escape, escape * 2).replace("%", f"{escape}%").replace("_", f"{escape}_")


def contains(column: Column[str], text: str) -> ColumnElement[bool]:
    return column.like(f"%{escape_like(text)}%", escape=ESCAPE)


def starts_with(column: Column[str], text: str) -> ColumnElement[bool]:
    return column.like(f"{escape_like(text)}%", escape=ESCAPE)


def ends_with(column: Column[str], text: str) -> ColumnElement[bool]:
    return column.like(f"%{escape_like(text)}", escape=ESCAPE)
