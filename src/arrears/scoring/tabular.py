"""Reading a tabular CSV for modelling: column kinds, training ranges, strict validation.

A file is read as text first, then every value is checked, so an error can say
``file:line: column: what is wrong`` (line 1 is the header).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

NUMERIC = "numeric"
CATEGORICAL = "categorical"
MAX_CATEGORIES = 200


class DataFileError(ValueError):
    """A data file that cannot be trained on or scored, with the place that is wrong."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One input column as seen in training: its kind and what values it took."""

    name: str
    dtype: str
    min: float | None = None
    max: float | None = None
    median: float | None = None
    categories: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSpec:
        return cls(**data)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_text_table(path: Path) -> pl.DataFrame:
    """Every column as text; empty cells are null."""
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    try:
        return pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise DataFileError(f"{path}: not a readable CSV file: {exc}") from exc


def _as_float(column: pl.Series) -> pl.Series:
    return column.str.strip_chars().cast(pl.Float64, strict=False)


def _first_bad_row(bad: pl.Series) -> int | None:
    idx = bad.arg_true()
    return int(idx[0]) if len(idx) else None


def _bad_numeric_rows(column: pl.Series) -> pl.Series:
    parsed = _as_float(column)
    finite = parsed.is_finite().fill_null(False)
    return column.is_not_null() & ~finite


def infer_spec(column: pl.Series) -> ColumnSpec:
    """Numeric when every non-empty value is a finite number; otherwise categorical."""
    if not _bad_numeric_rows(column).any():
        values = _as_float(column).drop_nulls()
        if len(values) == 0:
            return ColumnSpec(column.name, NUMERIC)
        # polars types Series.min/max/median as any Python literal; on a non-empty
        # Float64 series they are floats.
        return ColumnSpec(
            column.name, NUMERIC, cast(float, values.min()), cast(float, values.max()),
            cast(float, values.median()),
        )
    categories = sorted(column.drop_nulls().unique().to_list())
    if len(categories) > MAX_CATEGORIES:
        raise DataFileError(
            f"column {column.name!r} has {len(categories)} distinct text values: "
            "an id or free text cannot be a model input; drop it or pass it as --id"
        )
    return ColumnSpec(column.name, CATEGORICAL, categories=categories)


def read_target(path: Path, frame: pl.DataFrame, target: str) -> np.ndarray:
    if target not in frame.columns:
        raise DataFileError(f"{path}: no target column {target!r}")
    column = frame[target].str.strip_chars().str.to_lowercase()
    mapped = column.replace_strict(
        {"1": 1, "0": 0, "true": 1, "false": 0, "1.0": 1, "0.0": 0}, default=None,
        return_dtype=pl.Int8,
    )
    row = _first_bad_row(mapped.is_null())
    if row is not None:
        raise DataFileError(
            f"{path}:{row + 2}: {target}: target must be 0 or 1, not {frame[target][row]!r}"
        )
    y = mapped.to_numpy().astype(np.int8)
    if len(np.unique(y)) < 2:
        raise DataFileError(f"{path}: target {target!r} has only one class")
    return y


def check_columns(
    path: Path, frame: pl.DataFrame, specs: list[ColumnSpec], allowed_extra: set[str],
    optional: set[str],
) -> None:
    """Refuse a file that lacks a training column or carries an unknown one."""
    known = {s.name for s in specs}
    missing = [s.name for s in specs if s.name not in frame.columns and s.name not in optional]
    if missing:
        raise DataFileError(f"{path}:1: missing training column(s): {', '.join(missing)}")
    unknown = [c for c in frame.columns if c not in known | allowed_extra | optional]
    if unknown:
        raise DataFileError(
            f"{path}:1: unknown column(s) not seen in training: {', '.join(unknown)}"
        )


def check_values(path: Path, frame: pl.DataFrame, specs: list[ColumnSpec]) -> None:
    """Refuse non-numbers in numeric columns and unseen categories."""
    for spec in specs:
        if spec.name not in frame.columns:
            continue
        column = frame[spec.name]
        if spec.dtype == NUMERIC:
            row = _first_bad_row(_bad_numeric_rows(column))
            what = "not a number"
        else:
            row = _first_bad_row(column.is_not_null() & ~column.is_in(spec.categories))
            what = f"not one of the training categories {spec.categories[:10]}"
        if row is not None:
            raise DataFileError(f"{path}:{row + 2}: {spec.name}: {column[row]!r} is {what}")


def typed_frame(frame: pl.DataFrame, specs: list[ColumnSpec]) -> pl.DataFrame:
    """Numbers as Float64 (missing = NaN), categories as their training code."""
    columns = []
    for spec in specs:
        if spec.name not in frame.columns:
            columns.append(pl.Series(spec.name, [math.nan] * frame.height, dtype=pl.Float64))
        elif spec.dtype == NUMERIC:
            columns.append(_as_float(frame[spec.name]).fill_null(math.nan))
        else:
            codes = {c: float(i) for i, c in enumerate(spec.categories)}
            columns.append(
                frame[spec.name].replace_strict(codes, default=math.nan, return_dtype=pl.Float64)
            )
    return pl.DataFrame(columns)
