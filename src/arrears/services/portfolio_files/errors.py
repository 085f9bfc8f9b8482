"""What is wrong with a portfolio folder, each problem as ``file:line: column: problem``."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ERRORS_PER_FILE = 1000
WHOLE_LINE = "(line)"  # the column of a problem with a whole record
WHOLE_FILE = "(file)"


@dataclass(frozen=True, order=True)
class RowError:
    file: str
    line: int  # physical line of the file (Parquet: row number); 0 for a file that is missing
    column: str
    problem: str

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.file}: {self.problem}"
        return f"{self.file}:{self.line}: {self.column}: {self.problem}"


class PortfolioReadError(ValueError):
    """The folder itself cannot be read (it is not a folder)."""


class PortfolioRefused(ValueError):
    """The snapshot has errors; nothing was stored (``errors``: sorted, at most
    ``MAX_ERRORS_PER_FILE`` per file; ``total``: how many were found)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = limit(errors)
        self.total = len(errors)
        super().__init__(f"{self.total} error(s) in the portfolio; nothing was stored")


def limit(errors: list[RowError]) -> list[RowError]:
    """All errors, sorted by file and line (capped per file so a broken file cannot flood)."""
    per_file: dict[str, int] = {}
    kept = []
    for error in sorted(set(errors)):
        per_file[error.file] = per_file.get(error.file, 0) + 1
        if per_file[error.file] <= MAX_ERRORS_PER_FILE:
            kept.append(error)
    return kept
