"""The files of a portfolio folder, opened for reading: found by name, their encoding and
records checked (``text``), their header compared with the table's columns, and each scanned
lazily as text (cells stripped, empty cells null) in the names of the specification."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from arrears.services.portfolio_files.errors import WHOLE_FILE, WHOLE_LINE, PortfolioReadError, RowError
from arrears.services.portfolio_files.schema import TableSpec
from arrears.services.portfolio_files.text import (
    NotText,
    NotUtf8,
    Shape,
    header_of,
    line_at,
    scan_shape,
    transcode_gb18030,
)

UNREADABLE = (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError, UnicodeError)


@dataclass
class Source:
    """One table's file, opened: ``problems`` are those of the file as a whole or of whole
    records (its values are checked by the rules); a file with problems is not scanned."""

    spec: TableSpec
    path: Path  # the file in the folder
    text_path: Path  # what polars reads: the file, or a UTF-8 copy of a GB18030 file
    header: list[str] = field(default_factory=list)
    shape: Shape | None = None  # CSV files only
    problems: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def parquet(self) -> bool:
        return self.path.suffix == ".parquet"

    @property
    def keys(self) -> tuple[str, ...]:
        """The key columns the file has (accounts without ``snapshot_date``: the account id)."""
        return tuple(k for k in self.spec.keys if k in self.header)

    def problem(self, line: int, column: str, text: str) -> None:
        self.problems.append(RowError(self.file, line, column, text))

    def lines(self, rows: pl.Series | np.ndarray | list[int]) -> list[int]:
        """The physical line of each data row (0-based), even when a quoted field spans lines."""
        index = np.asarray(rows, dtype=np.int64)
        if self.shape is None:  # Parquet: rows are numbered from 1
            return (index + 1).tolist()
        if self.shape.starts is not None:
            return self.shape.starts[index].tolist()
        return (index + self.shape.header_lines + 1).tolist()

    def scan(self) -> pl.LazyFrame:
        """The table's columns as stripped text (empty: null; a missing optional column: null)."""
        if self.parquet:
            frame = pl.scan_parquet(self.text_path).with_columns(pl.all().cast(pl.Utf8))
        else:
            frame = pl.scan_csv(self.text_path, infer_schema=False, encoding="utf8")
        position = dict(zip(self.header, frame.collect_schema().names(), strict=False))
        wanted = self.spec.names
        text = frame.select(pl.col(position[c]).alias(c) if c in position else pl.lit(None, pl.Utf8).alias(c)
                            for c in wanted)
        if self.shape is not None and not self.shape.clean:
            return text  # no cell to strip, and polars reads empty cells as null
        return text.with_columns(_stripped(c) for c in wanted)


def _stripped(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value).alias(column)


def find_file(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


@dataclass
class Opened:
    """The folder's files for the given tables (missing optional files are left out)."""

    folder: Path
    sources: dict[str, Source]
    problems: list[RowError]  # required files that are missing

    @property
    def notes(self) -> list[str]:
        return [note for source in self.sources.values() for note in source.notes]

    def all_problems(self) -> list[RowError]:
        return self.problems + [p for s in self.sources.values() for p in s.problems]


@contextmanager
def open_folder(folder: Path, specs: tuple[TableSpec, ...], *, exact: bool = True) -> Iterator[Opened]:
    """Every table's file opened; UTF-8 copies of GB18030 files live until the block ends.
    ``exact``: each record of each file counted (see ``text.scan_shape``)."""
    if not folder.is_dir():
        raise PortfolioReadError(f"{folder}: not a folder / 不是目录")
    with tempfile.TemporaryDirectory(prefix="arrears-text-") as scratch:
        sources, missing = {}, []
        for spec in specs:
            path = find_file(folder, spec.name)
            if path is None:
                if spec.required:
                    missing.append(RowError(spec.file, 0, WHOLE_FILE, f"required file is missing: no {spec.name}.csv "
                                            f"or {spec.name}.parquet in the folder / 缺少必需文件"))
                continue
            sources[spec.name] = open_source(spec, path, Path(scratch), exact=exact)
        yield Opened(folder, sources, missing)


def open_source(spec: TableSpec, path: Path, scratch: Path, *, exact: bool = True) -> Source:
    source = Source(spec, path, path)
    try:
        if source.parquet:
            source.header = list(pl.read_parquet_schema(path))
        elif path.stat().st_size == 0:
            source.problem(1, WHOLE_FILE, "the file is empty: expected a header row")
            return source
        else:
            _open_text(source, scratch, exact)
    except UNREADABLE as error:
        source.problem(1, WHOLE_FILE, f"cannot be read: {error}")
        return source
    if not source.problems:
        _check_header(source)
    return source


def _open_text(source: Source, scratch: Path, exact: bool) -> None:
    try:
        source.header = header_of(source.path)
        source.shape = scan_shape(source.path, source.header, exact=exact)
    except NotUtf8 as error:
        if error.after_text:  # UTF-8 text with a broken byte: not another encoding
            problem = NotText(error.offset, line_at(source.path, error.offset), tried_gb18030=False)
            source.problem(problem.line, WHOLE_FILE, str(problem))
            return
        source.text_path = scratch / source.path.name
        try:
            transcode_gb18030(source.path, source.text_path)
        except NotText as problem:
            source.problem(problem.line, WHOLE_FILE, str(problem))
            return
        source.notes.append(f"{source.file}: not UTF-8; read as GB18030 / 非UTF-8编码, 已按GB18030读取")
        source.header = header_of(source.text_path)
        source.shape = scan_shape(source.text_path, source.header, exact=exact)
    shape = source.shape
    for ragged in shape.ragged:
        source.problem(ragged.line, WHOLE_LINE,
                       f"{ragged.fields} field(s) where the header has {len(shape.header)} (a ragged line)")
    if shape.unclosed_quote_line is not None:
        source.problem(shape.unclosed_quote_line, WHOLE_LINE, "a quoted field opened here is never closed")


def _check_header(source: Source) -> None:
    spec, header = source.spec, source.header
    seen: set[str] = set()
    for name in header:
        if name in seen:
            source.problem(1, name or WHOLE_LINE, "the column appears twice in the header")
        seen.add(name)
    for column in spec.columns:
        if column.required and column.name not in seen:
            source.problem(1, column.name, "required column is missing")
    extra = sorted(seen - set(spec.names))
    if extra:
        source.notes.append(f"{source.file}: extra columns kept aside: {', '.join(extra)}")
