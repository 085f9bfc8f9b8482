"""The ingest command's rules on the in-memory unit of work: what is counted, what is loaded
once, the dispute pauses, and all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from arrears.adapters.memory_ingest import MemoryIngestUnitOfWork
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.ingest.load import pause_changes
from arrears.services.portfolio_files import Portfolio

AS_OF = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 20, tzinfo=UTC)


def _snapshot(digest: str, accounts: dict[str, str], as_of: date = AS_OF) -> IngestPortfolio:
    """A portfolio of customers and accounts (account id -> flags), one customer each."""
    frame = pl.DataFrame({"account_id": list(accounts), "customer_id": [f"C{a}" for a in accounts],
                          "flags_j": list(accounts.values())})
    customers = pl.DataFrame({"customer_id": [f"C{a}" for a in accounts]})
    return IngestPortfolio(Portfolio(Path("snap"), {"customers": customers, "accounts": frame}, digest), as_of, NOW)


def test_a_first_snapshot_inserts_every_row_and_records_the_snapshot() -> None:
    uow = MemoryIngestUnitOfWork()
    report = ingest_portfolio(uow, _snapshot("d1", {"A1": "", "A2": ""}))
    assert report.counts["accounts"].inserted == 2 and report.counts["customers"].inserted == 2
    assert report.snapshot_id == 1 and uow.commits == 1
    assert uow.snapshots.loaded[0]["summary"]["accounts"]["inserted"] == 2


def test_the_snapshot_loaded_last_is_not_loaded_again() -> None:
    uow = MemoryIngestUnitOfWork()
    ingest_portfolio(uow, _snapshot("d1", {"A1": ""}))
    again = ingest_portfolio(uow, _snapshot("d1", {"A1": "", "A2": ""}))
    assert again.already_loaded and again.snapshot_id is None
    assert list(uow.tables.rows["accounts"]) == ["A1"] and uow.commits == 1


def test_a_new_snapshot_counts_changed_unchanged_and_departed_accounts() -> None:
    uow = MemoryIngestUnitOfWork()
    ingest_portfolio(uow, _snapshot("d1", {"A1": "", "A2": "", "A3": ""}))
    report = ingest_portfolio(uow, _snapshot("d2", {"A1": "", "A2": "complaint", "A4": ""}))
    counts = report.counts["accounts"]
    assert (counts.inserted, counts.updated, counts.unchanged, counts.left_portfolio) == (1, 1, 1, 1)


def test_a_failure_while_loading_leaves_nothing_half_written() -> None:
    uow = MemoryIngestUnitOfWork(fail_on="accounts")
    with pytest.raises(OSError, match="disk full"):
        ingest_portfolio(uow, _snapshot("d1", {"A1": "dispute"}))
    assert uow.tables.rows["customers"] == {} and uow.snapshots.loaded == [] and uow.pauses.periods == {}


def test_a_dispute_flag_opens_a_pause_and_its_removal_closes_it_the_day_before() -> None:
    uow = MemoryIngestUnitOfWork()
    first = ingest_portfolio(uow, _snapshot("d1", {"A1": "dispute;complaint", "A2": ""}))
    later = ingest_portfolio(uow, _snapshot("d2", {"A1": "", "A2": ""}, date(2026, 12, 10)))
    assert (first.pauses_opened, later.pauses_closed) == (1, 1)
    assert uow.pauses.periods == {1: ("A1", AS_OF, date(2026, 12, 9), "dispute")}


def test_a_pause_stays_open_while_the_flag_stays_or_the_account_is_absent() -> None:
    periods = [(7, "A1", date(2026, 11, 1)), (8, "A2", date(2026, 11, 2))]
    assert pause_changes(["A1"], ["A1"], periods, AS_OF) == ([], {})


def test_a_pause_opened_and_lifted_on_the_same_day_ends_on_its_start() -> None:
    assert pause_changes([], ["A1"], [(3, "A1", AS_OF)], AS_OF) == ([], {3: AS_OF})
