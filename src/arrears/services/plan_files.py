"""Reading a portfolio folder for planning and writing plan.csv (the shell around planning).

The folder is read by the one reader of portfolio folders (``services.portfolio_files``),
which checks every rule in the same streaming queries that type the planner's frames."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl

from arrears.adapters.spreadsheets import write_csv
from arrears.planning.frames import NEEDED, Capacity, Portfolio, TableUnreadable, capacity_from, typed_tables
from arrears.services.portfolio_files import BROKEN, CAPACITY, read_table, read_typed, refuse


class PlanInputError(ValueError):
    pass


def read_portfolio_for_planning(folder: Path, as_of: date, notes: list[str] | None = None) -> Portfolio:
    """The planner's typed frames; raises PortfolioRefused with every problem of the folder
    (``file:line: column: problem``), PortfolioReadError when it is not a folder."""

    def typing(raw: Mapping[str, pl.LazyFrame]) -> dict[str, pl.DataFrame]:
        try:
            return typed_tables({name: frame for name, frame in raw.items() if name in NEEDED}, as_of, carry=(BROKEN,))
        except TableUnreadable:
            raise refuse(folder, as_of) from None

    return Portfolio(as_of, **read_typed(folder, as_of, typing, notes=notes))


def read_capacity(path: Path | None, folder: Path) -> Capacity:
    """capacity.csv (``--capacity``, or the one in the folder), read and checked like every
    portfolio file; raises PortfolioRefused with its problems."""
    path = path or folder / "capacity.csv"
    if not path.exists() and path.with_suffix(".parquet").exists():
        path = path.with_suffix(".parquet")
    if not path.exists():
        raise PlanInputError(f"capacity file not found ({path}) / 找不到产能文件")
    return capacity_from(read_table(CAPACITY, path))


def write_plan(plan: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(plan, out)


def hours_path(out: Path) -> Path:
    """Where the hour summary of ``plan.csv`` goes: ``plan_hours.csv`` next to it."""
    return out.with_name(f"{out.stem}_hours.csv")


def write_hours(hours: pl.DataFrame, out: Path) -> Path:
    """The plan's hour summary (an optional extension of contact-plan-v1, a file of its own:
    plan.csv keeps exactly its columns) next to ``out``."""
    path = hours_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(hours, path)
    return path


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
