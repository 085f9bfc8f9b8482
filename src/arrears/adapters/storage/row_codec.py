"""A row codec driven by a domain dataclass's fields: one object to one table row (plus the
numbered rows of one tuple field in a second table) and back, exactly.

The field's type decides its column(s):

- ``Money`` ``x``: ``x_cents`` (whole cents; finer is refused), its currency in the row's
  currency column (``currency`` unless the shape names another; lines take their head's);
- ``Decimal``: exact text; ``datetime``: UTC-aware (SQLite hands it back naive, UTC by
  construction); ``date``, ``int``, ``bool``, ``str``: as they are, a blank ``str`` stored as
  NULL where the column is nullable;
- a ``StrEnum``: its value; a tuple of ``StrEnum``: their values joined by commas;
- a ``Mapping``: JSON text (keys sorted, Chinese kept);
- ``X | None``: NULL for None;
- a dataclass named in ``Shape.nested``: its fields flattened into the same row (the shape's
  ``prefix`` before their names; an optional one is None when all its columns are NULL);
- a tuple of dataclasses named in ``Shape.lines``: rows of another table, numbered.

A column's name is the shape's prefix and the field's name unless ``Shape.columns`` names it.
A codec checks at construction that its shapes produce exactly the table's columns, so a field
added to a dataclass without its column (or the reverse) fails on import, not at run time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any, Generic, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from sqlalchemy import Table

from arrears.adapters.storage.values import from_cents, from_utc, to_cents, to_utc
from arrears.domain.money import Money

T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class Lines:
    """A tuple of dataclasses stored as rows of ``table``, keyed by their head's key and
    ``number`` (a field of theirs, or their position when it is not one). Stored once; a
    later save changes only the ``changing`` columns (a payment's reversal)."""

    table: Table
    shape: Shape
    number: str = "number"
    changing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shape:
    """How one dataclass lies in a row."""

    cls: type
    prefix: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)  # field -> column (money: the stem of ``_cents``)
    nested: Mapping[str, Shape] = field(default_factory=dict)
    lines: Mapping[str, Lines] = field(default_factory=dict)
    currency: str | None = None  # the currency column; None: the enclosing shape's
    zero: frozenset[str] = frozenset()  # money fields not stored: zero when read (a ledger opens with no credit)

    def column(self, name: str) -> str:
        return self.columns.get(name, self.prefix + name)

    def within(self, outer: Shape) -> Shape:
        """This shape nested in ``outer``: prefixes add up, the currency column is inherited."""
        return Shape(self.cls, outer.prefix + self.prefix, self.columns, self.nested, self.lines,
                     self.currency or outer.currency, self.zero)


@dataclass(frozen=True)
class _Kind:
    base: Any
    optional: bool
    args: tuple[Any, ...]


@cache
def _kinds(cls: type) -> dict[str, _Kind]:
    found = {}
    for name, declared in get_type_hints(cls).items():
        args = get_args(declared)
        optional = get_origin(declared) in (Union, UnionType) and NoneType in args
        hint = next(a for a in args if a is not NoneType) if optional else declared
        found[name] = _Kind(get_origin(hint) or hint, optional, get_args(hint))
    return found


def _is(kind: _Kind, base: Any) -> bool:
    return isinstance(kind.base, type) and issubclass(kind.base, base)


def _to_column(kind: _Kind, value: Any) -> Any:
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, Decimal | Enum):
        return str(value)
    if _is(kind, tuple):
        return ",".join(str(v) for v in value)
    if _is(kind, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True)
    return value


def _money_to(row: Row, column: str, currency: str | None, money: Money | None) -> None:
    """Whole cents in ``<column>_cents``; the currency in ``currency`` (None: the head row's),
    where a missing amount leaves another field's currency in place."""
    row[f"{column}_cents"] = None if money is None else to_cents(money)
    if currency is not None and (money is not None or currency not in row):
        row[currency] = None if money is None else money.currency


def _from_column(kind: _Kind, value: Any) -> Any:
    if value is None:
        return None if kind.optional or not _is(kind, str) else ""
    if _is(kind, datetime):
        return from_utc(value)
    if _is(kind, tuple):
        return tuple(kind.args[0](v) for v in value.split(","))
    if _is(kind, Mapping):
        return json.loads(value)
    return kind.base(value) if _is(kind, Decimal | Enum | bool) else value


class RowCodec(Generic[T]):
    """Objects of ``shape.cls`` in ``table`` (keyed by ``key``), their lines in the lines' table."""

    def __init__(self, table: Table, key: str, shape: Shape) -> None:
        self.table, self.key = table, key
        self.shape = Shape(shape.cls, shape.prefix, shape.columns, shape.nested, shape.lines,
                           shape.currency or "currency", shape.zero)
        found = _all_lines(self.shape)
        self.lines: Lines | None = found[0] if found else None
        self._check()

    # --- object -> rows -------------------------------------------------------------------
    def row(self, item: T) -> Row:
        row: Row = {}
        self._encode(self.shape, item, row, self.table)
        return row

    def line_rows(self, item: T) -> list[Row]:
        if self.lines is None:
            return []
        head = self.row(item)[self.key]
        rows = []
        for position, line in enumerate(_line_values(self.shape, item)):
            row: Row = {self.key: head, self.lines.number: position}
            self._encode(self.lines.shape, line, row, self.lines.table)
            rows.append(row)
        return rows

    def _encode(self, shape: Shape, item: Any, row: Row, table: Table) -> None:
        kinds = _kinds(shape.cls)
        for f in fields(shape.cls):
            value = None if item is None else getattr(item, f.name)
            kind, column = kinds[f.name], shape.column(f.name)
            if f.name in shape.nested:
                self._encode(shape.nested[f.name].within(shape), value, row, table)
            elif f.name in shape.lines or f.name in shape.zero:
                continue
            elif _is(kind, Money):
                _money_to(row, column, shape.currency, value)
            else:
                blank = value == "" and _is(kind, str) and table.c[column].nullable
                row[column] = None if value is None or blank else _to_column(kind, value)

    # --- rows -> object -------------------------------------------------------------------
    def item(self, row: Mapping[Any, Any], lines: Sequence[Mapping[Any, Any]] = ()) -> T:
        currency = row.get(self.shape.currency or "currency")
        shape = self.lines.shape if self.lines else self.shape
        line_items = tuple(self._decode(shape, line, currency, ()) for line in lines)
        return cast(T, self._decode(self.shape, row, currency, line_items))

    def _decode(self, shape: Shape, row: Mapping[Any, Any], currency: str | None, lines: tuple[Any, ...]) -> Any:
        kinds, given = _kinds(shape.cls), {}
        if shape.currency is not None:
            currency = row.get(shape.currency, currency)
        for f in fields(shape.cls):
            kind, column = kinds[f.name], shape.column(f.name)
            if f.name in shape.nested:
                inner = shape.nested[f.name].within(shape)
                empty = kind.optional and all(row[c] is None for c in _columns(inner))
                given[f.name] = None if empty else self._decode(inner, row, currency, lines)
            elif f.name in shape.lines:
                given[f.name] = lines
            elif f.name in shape.zero:
                given[f.name] = Money.zero(currency or "CNY")
            elif _is(kind, Money):
                cents = row[f"{column}_cents"]
                given[f.name] = None if cents is None else from_cents(cents, currency or "")
            else:
                given[f.name] = _from_column(kind, row[column])
        return shape.cls(**given)

    # --- the shapes produce exactly the table's columns -----------------------------------
    def _check(self) -> None:
        _same(self.table, _columns(self.shape), generated=True)
        if self.lines is not None:
            _same(self.lines.table, _columns(self.lines.shape) | {self.key, self.lines.number})


def _all_lines(shape: Shape) -> list[Lines]:
    found = list(shape.lines.values())
    for inner in shape.nested.values():
        found += _all_lines(inner)
    return found


def _line_values(shape: Shape, item: Any) -> tuple[Any, ...]:
    for name in shape.lines:
        return tuple(getattr(item, name))
    for name, inner in shape.nested.items():
        found = _line_values(inner, getattr(item, name))
        if found:
            return found
    return ()


def _columns(shape: Shape) -> set[str]:
    kinds, found = _kinds(shape.cls), set()
    for f in fields(shape.cls):
        if f.name in shape.nested:
            found |= _columns(shape.nested[f.name].within(shape))
        elif f.name in shape.lines or f.name in shape.zero:
            continue
        elif _is(kinds[f.name], Money):
            found.add(f"{shape.column(f.name)}_cents")
            if shape.currency is not None:
                found.add(shape.currency)
        else:
            found.add(shape.column(f.name))
    return found


CHAIN_COLUMNS = ("prev_hash", "row_hash")  # domain.audit_chain: an audit row's place in its hash chain


def _same(table: Table, produced: set[str], *, generated: bool = False) -> None:
    """The columns ``produced`` are the table's (a generated key may be left to the database)."""
    declared = {c.name for c in table.columns}
    left = {c.name for c in table.columns if generated and c.primary_key and c.autoincrement is True}
    left |= declared & set(CHAIN_COLUMNS)  # written by the audit sealer, not part of the record
    if not produced <= declared or declared - produced - left:
        raise TypeError(f"{table.name}: the dataclass makes {sorted(produced - declared)} that the table lacks, "
                        f"and lacks {sorted(declared - produced)}")
