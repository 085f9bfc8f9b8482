"""Ingest a validated portfolio snapshot: the ``IngestPortfolio`` command and its handler.

One snapshot, one unit of work: every file's rows, the dispute pauses its flags open or close,
and the snapshot's row commit together, or nothing does (an error or a killed process leaves
the database as it was). The same snapshot loaded again (by digest) changes nothing. How rows
are compared and written (a keyed digest per row, set-based inserts and updates, personal data
encrypted) is the storage adapter's: ``adapters.storage.ingest_store``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from arrears.domain.vocabulary import PAUSING_FLAGS
from arrears.services.ingest.ports import IngestUnitOfWork, PausePeriods
from arrears.services.portfolio_files import Portfolio

# the order rows must go in: an agent names its agency, an account its customer, ...
SOURCES = ("agencies", "agents", "customers", "contact_points", "accounts", "payments", "contacts")
DISPUTE = "dispute"


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    left_portfolio: int = 0
    ignored_changes: int = 0


@dataclass
class IngestReport:
    digest: str
    as_of: date
    snapshot_id: int | None
    already_loaded: bool
    counts: dict[str, TableCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pauses_opened: int = 0
    pauses_closed: int = 0


@dataclass(frozen=True, slots=True)
class IngestPortfolio:
    """Load ``portfolio`` (read and validated: ``portfolio_files.read_portfolio``) as the
    snapshot of business date ``as_of``, ingested at ``now``."""

    portfolio: Portfolio
    as_of: date
    now: datetime


def pause_changes(flagged: Iterable[str], present: Iterable[str], open_periods: Iterable[tuple[int, str, date]],
                  as_of: date) -> tuple[list[str], dict[int, date]]:
    """A pause opens on ``as_of`` where a pausing flag appears on an account without an open
    pause, and closes the day before the flag disappears from an account still in the portfolio
    (never before it started). Returns the accounts to open and the pause ends by pause id."""
    flagged_set, present_set = set(flagged), set(present)
    periods = list(open_periods)
    open_accounts = {account_id for _, account_id, _ in periods}
    to_open = [a for a in dict.fromkeys(flagged) if a not in open_accounts]
    ends = {pause_id: max(as_of - timedelta(days=1), start) for pause_id, account_id, start in periods
            if account_id in present_set and account_id not in flagged_set}
    return to_open, ends


def sync_pauses(pauses: PausePeriods, accounts: pl.DataFrame, as_of: date) -> tuple[int, int]:
    """Open and close the dispute pauses the accounts' flags call for; (opened, closed)."""
    pausing = [f.value for f in PAUSING_FLAGS]
    flagged = accounts.filter(
        pl.col("flags_j").str.split(";").list.eval(pl.element().is_in(pausing)).list.any()
    )["account_id"].to_list()
    to_open, ends = pause_changes(flagged, accounts["account_id"].to_list(), pauses.open_periods(), as_of)
    pauses.open(to_open, as_of, DISPUTE)
    pauses.close(ends)
    return len(to_open), len(ends)


def ingest_portfolio(uow: IngestUnitOfWork, command: IngestPortfolio, *,
                     progress: Callable[[str], None] = lambda _name: None) -> IngestReport:
    """Load the snapshot unless it is the one loaded last; ``progress`` hears each file's name."""
    portfolio = command.portfolio
    report = IngestReport(portfolio.digest, command.as_of, None, False, notes=list(portfolio.notes))
    with uow:
        if uow.snapshots.latest_digest() == portfolio.digest:
            report.already_loaded = True
            return report
        for source in SOURCES:
            frame = portfolio.frame(source)
            if frame is None:
                continue
            progress(source)
            report.counts[source] = TableCounts(**uow.tables.load(source, frame))
        accounts = portfolio.frame("accounts")
        if accounts is None:
            raise ValueError("a validated portfolio has accounts")
        report.pauses_opened, report.pauses_closed = sync_pauses(uow.pauses, accounts, command.as_of)
        report.snapshot_id = uow.snapshots.add(
            digest=portfolio.digest, as_of=command.as_of, ingested_at=command.now, source=str(portfolio.folder),
            summary={name: vars(c) for name, c in report.counts.items()})
        uow.commit()
    return report
