"""Read and validate a whole portfolio folder: tables on their own, then across tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from arrears.services.ingest.reading import PortfolioReadError, find_file, read_table
from arrears.services.ingest.schema import TABLES, TableSpec
from arrears.services.ingest.validation import (
    Checked,
    RowError,
    check_account_customer,
    check_contact_owner,
    check_references,
    check_table,
    limit,
)


class PortfolioRefused(ValueError):
    """The snapshot has errors; nothing was stored."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        self.errors = errors
        self.total = total
        super().__init__(f"{total} error(s) in the portfolio; nothing was stored")


@dataclass
class Portfolio:
    folder: Path
    tables: dict[str, Checked]
    digest: str
    notes: list[str] = field(default_factory=list)

    def frame(self, name: str) -> pl.DataFrame | None:
        checked = self.tables.get(name)
        return checked.frame if checked else None


def folder_digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        sha.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
    return sha.hexdigest()


def _paths(folder: Path) -> dict[str, tuple[TableSpec, Path]]:
    if not folder.is_dir():
        raise PortfolioReadError(f"{folder}: not a folder")
    found: dict[str, tuple[TableSpec, Path]] = {}
    missing = []
    for spec in TABLES:
        path = find_file(folder, spec.name)
        if path is None:
            if spec.required:
                missing.append(spec.file)
            continue
        found[spec.name] = (spec, path)
    if missing:
        raise PortfolioReadError(f"{folder}: required file(s) missing: {', '.join(missing)}")
    return found


def portfolio_digest(folder: Path) -> str:
    return folder_digest([path for _, path in _paths(folder).values()])


def read_portfolio(folder: Path) -> Portfolio:
    """Read and validate every table; raise PortfolioRefused listing all errors."""
    found = _paths(folder)
    tables = {name: check_table(read_table(spec, path)) for name, (spec, path) in found.items()}
    _check_across(tables)
    errors = [e for checked in tables.values() for e in checked.errors]
    if errors:
        raise PortfolioRefused(limit(errors), len(errors))
    notes = [n for checked in tables.values() for n in checked.notes]
    digest = folder_digest([path for _, path in found.values()])
    return Portfolio(folder, tables, digest, notes)


def _check_across(tables: dict[str, Checked]) -> None:
    def keys(name: str, column: str) -> pl.Series | None:
        checked = tables.get(name)
        return checked.frame[column] if checked is not None else None

    for checked in tables.values():
        if any(e.line == 1 for e in checked.errors):
            continue
        for column, target in checked.table.spec.references.items():
            known = keys(target, tables[target].table.spec.key) if target in tables else None
            if known is not None:
                check_references(checked, column, known, tables[target].table.file)
    contacts = tables.get("contacts")
    points = tables.get("contact_points")
    accounts = tables.get("accounts")
    if contacts is not None and not any(e.line == 1 for e in contacts.errors):
        if points is not None:
            check_contact_owner(contacts, points.frame)
        if accounts is not None:
            check_account_customer(contacts, accounts.frame)
