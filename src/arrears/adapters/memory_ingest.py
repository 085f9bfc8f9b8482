"""An in-memory unit of work for ingest (tests): the portfolio's rows by file and key, the
pauses and the snapshots. It satisfies ``services.ingest.ports`` as ``storage.ingest_store``
does, with the same counting: a row is new, changed (its values differ, or it comes back to
the portfolio), unchanged, or gone from the portfolio; a ledger's changed rows are kept."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Self

import polars as pl

KEYS = {"agencies": "agency_id", "agents": "agent_id", "customers": "customer_id",
        "contact_points": "contact_point_id", "accounts": "account_id", "payments": "payment_id",
        "contacts": "contact_id"}
MEMBERSHIP = frozenset({"customers", "contact_points", "accounts"})
APPEND_ONLY = frozenset({"contacts"})


class MemoryPortfolioTables:
    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on  # a file whose load raises, as a full disk would
        self.rows: dict[str, dict[str, dict[str, Any]]] = {source: {} for source in KEYS}
        self.in_portfolio: dict[str, dict[str, bool]] = {source: {} for source in MEMBERSHIP}

    def load(self, source: str, frame: pl.DataFrame) -> dict[str, int]:
        if source == self.fail_on:
            raise OSError("disk full")
        stored, key = self.rows[source], KEYS[source]
        member = self.in_portfolio.get(source)
        counts = dict.fromkeys(("inserted", "updated", "unchanged", "left_portfolio", "ignored_changes"), 0)
        for row in frame.iter_rows(named=True):
            old = stored.get(row[key])
            if old is None:
                counts["inserted"] += 1
            elif old == row and (member is None or member[row[key]]):
                counts["unchanged"] += 1
                continue
            elif source in APPEND_ONLY:
                counts["ignored_changes"] += 1
                continue
            else:
                counts["updated"] += 1
            stored[row[key]] = row
            if member is not None:
                member[row[key]] = True
        if member is not None:
            present = set(frame[key].to_list())
            for gone in [k for k, was_in in member.items() if was_in and k not in present]:
                member[gone] = False
                counts["left_portfolio"] += 1
        return counts


class MemoryPausePeriods:
    def __init__(self) -> None:
        self.periods: dict[int, tuple[str, date, date | None, str]] = {}

    def open_periods(self) -> tuple[tuple[int, str, date], ...]:
        return tuple((i, a, start) for i, (a, start, end, _r) in self.periods.items() if end is None)

    def open(self, account_ids: list[str], start: date, reason: str) -> None:
        for account_id in account_ids:
            self.periods[len(self.periods) + 1] = (account_id, start, None, reason)

    def close(self, ends: Mapping[int, date]) -> None:
        for pause_id, end in ends.items():
            account_id, start, _end, reason = self.periods[pause_id]
            self.periods[pause_id] = (account_id, start, end, reason)


class MemorySnapshots:
    def __init__(self) -> None:
        self.loaded: list[dict[str, Any]] = []

    def latest_digest(self) -> str | None:
        return self.loaded[-1]["digest"] if self.loaded else None

    def add(self, *, digest: str, as_of: date, ingested_at: datetime, source: str,
            summary: Mapping[str, object]) -> int | None:
        self.loaded.append({"digest": digest, "as_of": as_of, "ingested_at": ingested_at, "source": source,
                            "summary": dict(summary)})
        return len(self.loaded)


class MemoryIngestUnitOfWork:
    """Changes live at once; leaving the block without ``commit`` restores the last commit."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.tables, self.pauses = MemoryPortfolioTables(fail_on), MemoryPausePeriods()
        self.snapshots, self.commits = MemorySnapshots(), 0
        self._committed = self._state()

    def _state(self) -> tuple[Any, ...]:
        return copy.deepcopy((self.tables.rows, self.tables.in_portfolio, self.pauses.periods, self.snapshots.loaded))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self._committed = self._state()
        self.commits += 1

    def rollback(self) -> None:
        rows, members, periods, loaded = copy.deepcopy(self._committed)
        self.tables.rows, self.tables.in_portfolio = rows, members
        self.pauses.periods, self.snapshots.loaded = periods, loaded
