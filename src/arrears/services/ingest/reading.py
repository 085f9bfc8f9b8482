"""Reading a portfolio folder (CSV or Parquet) into string-typed polars frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from arrears.services.ingest.schema import TableSpec


@dataclass(frozen=True)
class RawTable:
    spec: TableSpec
    path: Path
    frame: pl.DataFrame  # every column as text (Utf8), empty cells as null
    first_line: int  # the file line of row 0 (2 for CSV with a header; 1 for Parquet rows)

    @property
    def file(self) -> str:
        return self.path.name

    def line(self, row: int) -> int:
        return row + self.first_line


class PortfolioReadError(ValueError):
    """A file that cannot be read at all (missing, not UTF-8, not CSV/Parquet)."""


def find_file(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_table(spec: TableSpec, path: Path) -> RawTable:
    try:
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            frame = frame.with_columns(pl.all().cast(pl.Utf8))
            first_line = 1
        else:
            frame = pl.read_csv(
                path,
                infer_schema=False,
                encoding="utf8",
                quote_char='"',
            )
            first_line = 2
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError, UnicodeError) as exc:
        raise PortfolioReadError(f"{path.name}: cannot be read: {exc}") from exc
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in frame.columns
    )
    return RawTable(spec, path, frame, first_line)
