"""What ingest writes: the portfolio tables, the dispute pauses and the snapshots, in one unit
of work. Adapters satisfy these structurally: ``arrears.adapters.storage.ingest_store`` on a
database, ``arrears.adapters.memory_ingest`` in memory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Protocol

import polars as pl

from arrears.services.unit_of_work import UnitOfWork


class PortfolioTables(Protocol):
    def load(self, source: str, frame: pl.DataFrame) -> Mapping[str, int]:
        """Store one validated file set-based (``source`` names it: ``customers``, ...): new
        rows inserted, changed rows updated (an append-only ledger keeps them as stored), rows
        that left the portfolio marked. Returns the counts ``TableCounts`` holds."""
        ...


class PausePeriods(Protocol):
    def open_periods(self) -> tuple[tuple[int, str, date], ...]:
        """(pause id, account id, start) of every pause without an end."""
        ...

    def open(self, account_ids: list[str], start: date, reason: str) -> None: ...
    def close(self, ends: Mapping[int, date]) -> None:
        """End each pause (by id) on its date."""
        ...


class Snapshots(Protocol):
    def latest_digest(self) -> str | None: ...
    def add(self, *, digest: str, as_of: date, ingested_at: datetime, source: str,
            summary: Mapping[str, object]) -> int | None:
        """Record a loaded snapshot; its id."""
        ...


class IngestUnitOfWork(UnitOfWork, Protocol):
    """One snapshot, one transaction: everything commits together or nothing does."""

    @property
    def tables(self) -> PortfolioTables: ...
    @property
    def pauses(self) -> PausePeriods: ...
    @property
    def snapshots(self) -> Snapshots: ...

