"""An attempt looked up by its id (to record its outcome, to log it) is searched in the months of
the last 35 days first and in all months only when it is not there: the same answers either way,
one statement for a recent attempt, and on PostgreSQL the first look-up reads only the recent
months of the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, event

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.contacts_repository import _GET_RECENT, RECENT, SqlContactLedger
from arrears.adapters.storage.month_partitions import ensure_months, partition_name
from arrears.domain.contacts import Attempt, Logged

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
AGES = {"recent": timedelta(days=2), "months old": timedelta(days=200)}


def _attempt(attempt_id: str, at: datetime) -> Attempt:
    return Attempt(attempt_id, "A-1", "C-1", None, None, "call", "debtor", at, "G001", None, False, "collection")


@pytest.fixture
def ledger(engine: Engine) -> Iterator[SqlContactLedger]:
    with engine.begin() as connection:
        ensure_months(connection, "contact_attempts", [(NOW - age).date() for age in AGES.values()])
        ledger = SqlContactLedger(connection, FixedClock(NOW))
        for name, age in AGES.items():
            ledger.add(_attempt(name, NOW - age))
        yield ledger


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


@pytest.mark.parametrize("name", list(AGES))
def test_an_attempt_recent_or_months_old_is_found_completed_once_and_logged(
    ledger: SqlContactLedger, name: str
) -> None:
    found = ledger.get(name)
    assert found is not None and found.attempt_id == name and found.at == NOW - AGES[name]
    assert ledger.complete(name, "no_answer", None, NOW) is True
    assert ledger.complete(name, "connected", None, NOW) is False  # it has its outcome
    completed = ledger.get(name)
    assert completed is not None and completed.outcome == "no_answer" and completed.completed_at == NOW
    assert ledger.log(name, Logged("K-1", "U-1")) is True
    logged = ledger.get(name)
    assert logged is not None and logged.logged is not None and logged.logged.logged_by == "U-1"


def test_an_unknown_attempt_is_not_found_not_completed_and_not_logged(ledger: SqlContactLedger) -> None:
    assert ledger.get("nobody") is None
    assert ledger.complete("nobody", "no_answer", None, NOW) is False
    assert ledger.log("nobody", Logged("K-1", "U-1")) is False


def test_a_recent_attempt_takes_one_statement_and_an_old_one_falls_back_to_all_months(
    ledger: SqlContactLedger
) -> None:
    with _statements(ledger.connection) as seen:
        assert ledger.get("recent") is not None
        assert ledger.complete("recent", "no_answer", None, NOW)
        assert not ledger.complete("recent", "no_answer", None, NOW)  # found recent with its outcome: no fallback
    assert len(seen) == 4 and all("at >=" in sql for sql in seen)
    with _statements(ledger.connection) as seen:
        assert ledger.get("months old") is not None
    assert len(seen) == 2 and "at >=" not in seen[1]


def test_on_postgresql_the_recent_look_up_reads_only_the_months_of_its_window(
    postgres_engine: Engine
) -> None:
    with postgres_engine.begin() as connection:
        months = [date(2026, m, 1) for m in range(1, 13)]
        ensure_months(connection, "contact_attempts", months)
        sql = str(_GET_RECENT.compile(dialect=connection.dialect))
        plan = "\n".join(connection.exec_driver_sql(
            "EXPLAIN (COSTS OFF) " + sql, {"attempt_id": "x", "since": NOW - RECENT}).scalars())
    read = {m for m in months if partition_name("contact_attempts", m) in plan}
    assert read == {date(2026, 11, 1), date(2026, 12, 1)}, plan
