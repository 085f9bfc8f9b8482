"""Read and validate a whole portfolio folder: every file, every rule, every problem at once.

``read_portfolio`` gives each table as text beside its typed columns (ingest loads them,
score reads them). ``read_typed`` is the same reading for a caller that types the tables in
its own lazy queries (the planner): the rules are folded into those queries as one flag per
row, so each file is read once and its text is never held beside its typed copy; when any
row, id or reference is wrong, the folder is read again by ``read_portfolio`` to word every
problem with its line.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from arrears.services.portfolio_files.checks import (
    BROKEN,
    cross_errors,
    cross_findings,
    duplicate_errors,
    flagged,
    has_duplicates,
    rule_errors,
)
from arrears.services.portfolio_files.errors import WHOLE_FILE, PortfolioRefused, RowError
from arrears.services.portfolio_files.rules import Context, phone_text, rules_for, slow_phone_texts, typed_columns
from arrears.services.portfolio_files.schema import HISTORY_TABLES, TABLES, Kind, TableSpec
from arrears.services.portfolio_files.sources import UNREADABLE, Opened, Source, open_folder, open_source


@dataclass
class Portfolio:
    folder: Path
    tables: dict[str, pl.DataFrame]  # text columns (stripped, empty = null) and typed columns
    digest: str
    notes: list[str] = field(default_factory=list)
    specs: dict[str, TableSpec] = field(default_factory=dict)
    given: dict[str, set[str]] = field(default_factory=dict)  # the specification's columns each file has

    def frame(self, name: str) -> pl.DataFrame | None:
        return self.tables.get(name)


def folder_digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        sha.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
    return sha.hexdigest()


def _specs(history: bool) -> tuple[TableSpec, ...]:
    return HISTORY_TABLES if history else TABLES


def context_of(sources: Iterable[Source], as_of: date) -> Context:
    """The rules' context: the date, and every phone of the contact points outside the fast
    shapes (a streaming pass over them, then phonenumbers once per distinct text)."""
    points = next((s for s in sources if s.spec.name == "contact_points" and not s.problems), None)
    if points is None:
        return Context(as_of)
    try:
        texts = slow_phone_texts(points.scan()).collect(engine="streaming")["value"].to_list()
    except UNREADABLE:
        return Context(as_of)  # the table's own reading reports it
    return Context(as_of, {text: phone_text(text) for text in texts})


def _check_table(source: Source, context: Context) -> tuple[pl.DataFrame | None, list[RowError]]:
    rules = rules_for(source.spec, context)
    query = flagged(source.scan().with_columns(typed_columns(source.spec, context)), rules)
    try:
        frame = query.collect(engine="streaming")
    except UNREADABLE as error:
        return None, [RowError(source.file, 1, WHOLE_FILE, f"cannot be read: {error}")]
    errors = duplicate_errors(source, frame)
    if frame[BROKEN].any():
        errors += rule_errors(source, frame, rules)
    return frame.drop(BROKEN), errors


def check_tables(opened: Opened, context: Context, only: set[str] | None = None) -> tuple[
        dict[str, pl.DataFrame], list[RowError]]:
    """The tables that can be read (all, or ``only`` these), and every problem of their rows."""
    frames, errors = {}, []
    for name, source in opened.sources.items():
        if source.problems or (only is not None and name not in only):
            continue
        frame, found = _check_table(source, context)
        errors += found
        if frame is not None:
            frames[name] = frame
    return frames, errors


def read_portfolio(folder: Path, as_of: date, *, history: bool = False) -> Portfolio:
    """Read and validate every table; raise PortfolioRefused listing all errors. ``as_of``:
    the snapshot date (dates after it are refused where they cannot be in the future).
    ``history``: accounts may hold one row per ``snapshot_date``, and ``aging`` is read
    (the scoring commands)."""
    with open_folder(folder, _specs(history)) as opened:
        frames, errors = check_tables(opened, context_of(opened.sources.values(), as_of))
        errors += cross_errors(frames, opened.sources) + opened.all_problems()
        if errors:
            raise PortfolioRefused(errors)
        digest = folder_digest([source.path for source in opened.sources.values()])
        specs = {name: source.spec for name, source in opened.sources.items()}
        given = {name: set(source.header) & set(source.spec.names) for name, source in opened.sources.items()}
        return Portfolio(folder, frames, digest, opened.notes, specs, given)


def read_table(spec: TableSpec, path: Path, as_of: date | None = None) -> pl.DataFrame:
    """One file read and checked on its own (``as_of`` is needed only for a table with dates);
    raises PortfolioRefused with its problems."""
    if as_of is None and any(c.kind in (Kind.DATE, Kind.INSTANT) for c in spec.columns):
        raise ValueError(f"{spec.file}: its dates are checked against a snapshot date (as_of)")
    with tempfile.TemporaryDirectory(prefix="arrears-text-") as scratch:
        source = open_source(spec, path, Path(scratch))
        if source.problems:
            raise PortfolioRefused(source.problems)
        frame, errors = _check_table(source, context_of([source], as_of or date.max))
        if errors or frame is None:
            raise PortfolioRefused(errors)
        return frame


def refuse(folder: Path, as_of: date, *, history: bool = False) -> PortfolioRefused:
    """The folder's problems, worded (for a reading that found that something is wrong)."""
    try:
        read_portfolio(folder, as_of, history=history)
    except PortfolioRefused as refused:
        return refused
    raise AssertionError(f"{folder}: the fast check and the worded check of the folder disagree")


Typing = Callable[[Mapping[str, pl.LazyFrame]], dict[str, pl.DataFrame]]


def read_typed(folder: Path, as_of: date, typing: Typing, *, notes: list[str] | None = None) -> dict[str, pl.DataFrame]:
    """The folder's tables as ``typing`` makes them from the validated text (lazy, with the
    ``BROKEN`` flag, which ``typing`` must keep and the result comes without). Tables
    ``typing`` does not take are checked alone. Raises PortfolioRefused with every problem."""
    with open_folder(folder, TABLES, exact=False) as opened:
        if opened.all_problems():
            raise refuse(folder, as_of)
        context = context_of(opened.sources.values(), as_of)
        raw = {name: flagged(source.scan(), rules_for(source.spec, context))
               for name, source in opened.sources.items()}
        try:
            typed = typing(raw)
        except UNREADABLE:
            raise refuse(folder, as_of) from None
        read = {name: frame for name, frame in typed.items() if name in raw}  # not the empty tables of absent files
        if any(BROKEN not in frame.columns for frame in read.values()):
            raise ValueError(f"the typed tables must keep the {BROKEN} column of the rules")
        others, errors = check_tables(opened, context, only=set(raw) - set(read))
        if errors or _wrong({**read, **others}, opened):
            raise refuse(folder, as_of)
        if notes is not None:
            notes.extend(opened.notes)
    return {name: frame.drop(BROKEN, strict=False) for name, frame in typed.items()}


def _wrong(frames: dict[str, pl.DataFrame], opened: Opened) -> bool:
    """Whether a row breaks a rule, an id repeats, or a reference fails (the fast checks)."""
    if any(frame[BROKEN].any() for frame in frames.values() if BROKEN in frame.columns):
        return True
    if any(has_duplicates(frame, opened.sources[name].keys) for name, frame in frames.items()):
        return True
    return any(finding.rows.size for finding in cross_findings(frames, opened.sources))
