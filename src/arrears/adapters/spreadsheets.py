"""Files people open in a spreadsheet (CSV, and XLSX if one is ever written): text cells
that a spreadsheet would run as a formula are neutralised.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` in a name); it gets a
leading single quote, which the spreadsheet shows as text. Numbers stay numbers: a numeric
column is never touched, nor a text cell that is a plain number (``-12.50``, ``+8613800138000``).
Portfolio files are inputs, not exports: they are read, never written through here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def formula_safe(value: Any) -> Any:
    """One cell: a text that would be read as a formula, quoted; anything else as it is."""
    if isinstance(value, str) and re.match(FORMULA_START, value) and not re.match(PLAIN_NUMBER, value):
        return "'" + value
    return value


def _safe_text(column: str) -> pl.Expr:
    text = pl.col(column)
    risky = text.str.contains(FORMULA_START) & ~text.str.contains(PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(column)


def formula_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text (or categorical) column made formula-safe; numeric and other columns untouched."""
    texts = [name for name, dtype in frame.schema.items()
             if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)]
    if not texts:
        return frame
    return frame.with_columns(pl.col(texts).cast(pl.String)).with_columns(_safe_text(name) for name in texts)


def write_csv(frame: pl.DataFrame, path: Path | str, *, bom: bool = False) -> None:
    """Write ``frame`` as CSV for people and spreadsheets, formula-safe (``bom``: UTF-8 with a byte-order
    mark, which Excel needs to read Chinese text as UTF-8). The file appears whole or not at all:
    written beside it under a temporary name, then renamed over it."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        formula_safe_frame(frame).write_csv(partial, include_bom=bom)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
