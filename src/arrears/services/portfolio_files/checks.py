"""Applying the rules: which rows break them (a flag the planner folds into its streaming
query), the problems worded with their lines, ids unique within a file, and references
between files. The same functions serve typed frames whose ids are categoricals (the
planner's) and text frames (ingest's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from arrears.services.portfolio_files.errors import RowError
from arrears.services.portfolio_files.rules import Rule
from arrears.services.portfolio_files.sources import Source

BROKEN = "__broken"  # true on a row that breaks some rule of its table
ROW = "__row"


def flagged(frame: pl.LazyFrame, rules: list[Rule]) -> pl.LazyFrame:
    """The frame with ``BROKEN``: one vectorised pass over every rule of the row."""
    broken = pl.any_horizontal([rule.broken for rule in rules]) if rules else pl.lit(False)
    return frame.with_columns(broken.alias(BROKEN))


def rule_errors(source: Source, frame: pl.DataFrame, rules: list[Rule]) -> list[RowError]:
    """Each rule broken by a flagged row of ``frame`` (text columns and ``BROKEN``), worded."""
    bad = frame.with_row_index(ROW).filter(pl.col(BROKEN))
    errors = []
    for rule in rules:
        hits = bad.filter(rule.broken).select(ROW, rule.column)
        for line, value in zip(source.lines(hits[ROW]), hits[rule.column].to_list(), strict=True):
            problem = rule.problem if isinstance(rule.problem, str) else rule.problem(value)
            if problem:
                errors.append(RowError(source.file, line, rule.column, problem))
    return errors


def _key(keys: tuple[str, ...]) -> pl.Expr:
    return pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)


def has_duplicates(frame: pl.DataFrame, keys: tuple[str, ...]) -> bool:
    """Whether a key appears twice. Fast: distinct hashes are distinct keys, so the exact
    comparison runs only when two hashes are equal (5 M ids: 0.15 s instead of 1.5 s)."""
    if not keys:
        return False
    present = frame.filter(pl.col(keys[0]).is_not_null()).select(_key(keys).alias("key"))
    if present.select(pl.col("key").hash().n_unique()).item() == present.height:
        return False
    return bool(present.select(pl.col("key").is_duplicated().any()).item())


def duplicate_errors(source: Source, frame: pl.DataFrame) -> list[RowError]:
    """A repeated id, on the line of each repeat, naming the line where it first appears."""
    keys = source.keys
    if not has_duplicates(frame, keys):
        return []
    repeats = (frame.with_row_index(ROW).filter(pl.col(keys[0]).is_not_null() & _key(keys).is_duplicated())
               .with_columns(pl.col(ROW).min().over(keys).alias("__first"))
               .filter(pl.col(ROW) != pl.col("__first")))
    lines = dict(zip(repeats[ROW].to_list(), source.lines(repeats[ROW]), strict=True))
    firsts = dict(zip(repeats["__first"].to_list(), source.lines(repeats["__first"]), strict=True))
    errors = []
    for row in repeats.iter_rows(named=True):
        value = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        what = "id" if len(keys) == 1 else f"({', '.join(keys)})"
        errors.append(RowError(
            source.file, lines[row[ROW]], keys[0],
            f"duplicate {what} {value!r}: ids must be unique within the file (first on line {firsts[row['__first']]})",
        ))
    return errors


@dataclass(frozen=True)
class Finding:
    """Rows of one table that break a rule between tables."""

    table: str
    column: str
    rows: np.ndarray  # 0-based rows of the table
    problem: str


def _codes(*values: pl.Series) -> list[np.ndarray]:
    """Ids as integer codes, -1 for an empty cell. Polars' categories are global while some
    categorical holds them (the planner's ids are categoricals already), so text ids are
    made categoricals together, and their codes compare across the series."""
    ids = [v if v.dtype == pl.Categorical else v.cast(pl.Utf8).cast(pl.Categorical) for v in values]
    return [i.to_physical().cast(pl.Int64).fill_null(-1).to_numpy() for i in ids]


def _table(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """A look-up from a key's code to a value's code (-1: no such key)."""
    table = np.full(size, -1, dtype=np.int64)
    present = keys >= 0
    table[keys[present]] = values[present]
    return table


def _unknown(codes: np.ndarray, known: np.ndarray) -> np.ndarray:
    size = max(int(codes.max(initial=-1)), int(known.max(initial=-1))) + 1
    return np.flatnonzero((codes >= 0) & (_table(known, known, size)[np.maximum(codes, 0)] < 0))


def _owned_by_other(contacts: pl.DataFrame, owners: pl.DataFrame, key: str) -> np.ndarray:
    """Contacts whose ``key`` (an account or a contact point) belongs to another customer."""
    keys, holders, asked, customers = _codes(owners[key], owners["customer_id"], contacts[key],
                                             contacts["customer_id"])
    size = max(int(keys.max(initial=-1)), int(asked.max(initial=-1))) + 1
    holder = _table(keys, holders, size)[np.maximum(asked, 0)]
    return np.flatnonzero((asked >= 0) & (holder >= 0) & (holder != customers))


def cross_findings(frames: dict[str, pl.DataFrame], sources: dict[str, Source]) -> Iterator[Finding]:
    """References to other files (a customer, account, agency... that is not there) and the
    contacts' owners, on integer codes of the ids (5 M contacts: about 0.1 s a check).
    ``frames``: the tables that could be read, by name."""
    for name, frame in frames.items():
        for column, target in sources[name].spec.references.items():
            if target in frames and column in frame.columns:
                codes, known = _codes(frame[column], frames[target][sources[target].spec.key])
                yield Finding(name, column, _unknown(codes, known), f"unknown {column}: not in {sources[target].file}")
    contacts = frames.get("contacts")
    if contacts is None:
        return
    if "contact_points" in frames:
        yield Finding("contacts", "contact_point_id",
                      _owned_by_other(contacts, frames["contact_points"], "contact_point_id"),
                      "this contact point belongs to another customer")
    if "accounts" in frames:
        yield Finding("contacts", "customer_id", _owned_by_other(contacts, frames["accounts"], "account_id"),
                      "this account belongs to another customer")


def cross_errors(frames: dict[str, pl.DataFrame], sources: dict[str, Source]) -> list[RowError]:
    errors: list[RowError] = []
    for finding in cross_findings(frames, sources):
        source = sources[finding.table]
        errors.extend(RowError(source.file, line, finding.column, finding.problem)
                      for line in source.lines(finding.rows))
    return errors
