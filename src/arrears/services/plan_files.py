"""Reading a portfolio folder for planning and writing plan.csv (the shell around planning)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from arrears.adapters.spreadsheets import write_csv
from arrears.planning.frames import (
    NEEDED,
    UNREADABLE,
    Capacity,
    DuplicateId,
    Portfolio,
    TableUnreadable,
    capacity_from,
    prepare,
)

REQUIRED = ("customers", "contact_points", "accounts")


class PlanInputError(ValueError):
    pass


def _read(path: Path, table: str) -> pl.LazyFrame:
    """Only the columns planning needs, as text; empty cells are null. A lazy scan: the rows
    are read when the planner types them (``frames.prepare``), in one streaming pass."""
    try:
        if path.suffix == ".parquet":
            stored = pl.read_parquet_schema(path)
            keep = [c for c in NEEDED[table] if c in stored]
            frame = pl.scan_parquet(path).select(keep).with_columns(pl.all().cast(pl.Utf8))
        else:
            header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
            names = {c.strip().lstrip("\ufeff"): c for c in header}
            keep = [c for c in NEEDED[table] if c in names]
            frame = pl.scan_csv(path, infer_schema=False, encoding="utf8").select(
                pl.col(names[c]).alias(c) for c in keep)
    except UNREADABLE as exc:
        raise PlanInputError(f"{path.name}: cannot be read: {exc}") from exc
    return frame.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in keep)


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        if (folder / f"{name}{suffix}").exists():
            return folder / f"{name}{suffix}"
    return None


def read_portfolio_for_planning(folder: Path, as_of: date) -> Portfolio:
    if not folder.is_dir():
        raise PlanInputError(f"{folder}: not a portfolio folder")
    raw: dict[str, pl.LazyFrame | None] = {}
    for table in NEEDED:
        if table == "capacity":
            continue
        path = _find(folder, table)
        if path is None and table in REQUIRED:
            raise PlanInputError(f"{folder}: {table}.csv is missing (portfolio-v1 requires it)")
        raw[table] = _read(path, table) if path else None
    try:
        return prepare(raw, as_of)
    except TableUnreadable as error:
        path = _find(folder, error.table)
        raise PlanInputError(f"{path.name if path else error.table}: cannot be read: {error.problem}") from error
    except DuplicateId as error:
        path = _find(folder, error.table)
        assert path is not None  # the table was read from it
        where = f"{path.name}:{error.row + 2}" if path.suffix == ".csv" else f"{path.name}, row {error.row + 1}"
        raise PlanInputError(f"{where}: {error.column}: {error.problem}") from error


def read_capacity(path: Path | None, folder: Path) -> Capacity:
    path = path or _find(folder, "capacity")
    if path is None or not path.exists():
        raise PlanInputError(f"capacity file not found ({path or folder / 'capacity.csv'})")
    try:
        rows = _read(path, "capacity").collect()
    except UNREADABLE as exc:
        raise PlanInputError(f"{path.name}: cannot be read: {exc}") from exc
    return capacity_from(rows)


def write_plan(plan: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(plan, out)


SCORE_COLUMNS = ("account_id", "ability", "willingness", "propensity", "segment")


def read_scores(path: Path) -> pl.DataFrame:
    """The CSV `arrears score` writes; only the columns planning uses."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise PlanInputError(f"{path.name}: cannot be read: {exc}") from exc
    missing = [c for c in SCORE_COLUMNS if c not in frame.columns]
    if missing:
        raise PlanInputError(f"{path.name}: missing columns {missing} (expected the output of `arrears score`)")
    return frame.select(SCORE_COLUMNS)
