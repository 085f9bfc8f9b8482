"""PostgreSQL keeps contacts, attempts and decisions in month partitions: rows land in their
month, a month made late takes over its stray rows, and retention drops whole months (never a
US debt's records within 3 years of its last activity), with the decision audit's chain still
verifying after its oldest month went. SQLite has no partitions and only reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.audit_chain import SqlAuditChains
from arrears.adapters.storage.month_partitions import ensure_months, is_partitioned, month_partitions
from arrears.adapters.storage.retention_store import SqlRetention, SqlRetentionUnitOfWork
from arrears.bootstrap import ingest_uow
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio
from arrears.services.retention import ReviewRetention, review_retention

AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CONTACT = ("INSERT INTO contacts (contact_id, account_id, customer_id, channel, direction, at, outcome, complaint, "
           "row_digest) VALUES (:id, :account, :customer, 'call', 'outbound', :at, 'no_answer', false, 'x')")


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def _customer(engine: Engine, customer_id: str, jurisdiction: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO customers (customer_id, name_enc, name_hash, name_masked, national_id_enc, national_id_hash, "
            "national_id_masked, language, timezone, jurisdiction, address_enc, row_digest, in_portfolio) VALUES "
            "(:c, '\\x00', 'h', 'm', '\\x00', 'h', 'm', 'zh', 'Asia/Shanghai', :j, '\\x00', 'x', true)"),
            {"c": customer_id, "j": jurisdiction})


def _contact(engine: Engine, contact_id: str, customer_id: str, at: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(text(CONTACT), {"id": contact_id, "account": f"A-{customer_id}", "customer": customer_id,
                                           "at": at})


def test_the_three_tables_are_partitioned_and_ingested_contacts_land_in_their_months(
    postgres_engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    with postgres_engine.connect() as connection:
        assert all(is_partitioned(connection, t) for t in ("contacts", "contact_attempts", "compliance_decisions"))
    ingest_portfolio(ingest_uow(postgres_engine, cipher),
                     IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF, NOW))
    assert _count(postgres_engine, "SELECT count(*) FROM contacts") > 0
    assert _count(postgres_engine, "SELECT count(*) FROM contacts_default") == 0
    with postgres_engine.connect() as connection:
        months = month_partitions(connection, "contacts")
    assert len(months) >= 2  # the demo's history spans months


def test_a_month_made_late_takes_over_its_rows_from_the_default_partition(postgres_engine: Engine) -> None:
    _customer(postgres_engine, "C-LATE", "CN")
    far = datetime(2031, 5, 9, 3, 0, tzinfo=UTC)
    _contact(postgres_engine, "K-LATE", "C-LATE", far)
    assert _count(postgres_engine, "SELECT count(*) FROM contacts_default") == 1
    with postgres_engine.begin() as connection:
        assert ensure_months(connection, "contacts", [date(2031, 5, 1)]) == [date(2031, 5, 1)]
    assert _count(postgres_engine, "SELECT count(*) FROM contacts_default") == 0
    assert _count(postgres_engine, "SELECT count(*) FROM contacts_2031_05") == 1


def _review(engine: Engine, apply: bool, as_of: date = date(2026, 12, 7)) -> dict[tuple[str, str], bool]:
    reviewed = review_retention(SqlRetentionUnitOfWork(engine), ReviewRetention(as_of, NOW, apply))
    return {(m.table, m.month.strftime("%Y-%m")): m.verdict.may_drop for m in reviewed}


def test_retention_drops_an_old_chinese_month_and_keeps_a_us_month_of_a_debt_still_worked(
    postgres_engine: Engine
) -> None:
    _customer(postgres_engine, "C-CN", "CN")
    _customer(postgres_engine, "C-US", "US")
    with postgres_engine.begin() as connection:
        ensure_months(connection, "contacts", [date(2022, 3, 1), date(2022, 4, 1)])
    _contact(postgres_engine, "K-CN-OLD", "C-CN", datetime(2022, 3, 10, 2, tzinfo=UTC))
    _contact(postgres_engine, "K-US-OLD", "C-US", datetime(2022, 4, 10, 15, tzinfo=UTC))
    _contact(postgres_engine, "K-US-NEW", "C-US", datetime(2025, 6, 10, 15, tzinfo=UTC))  # worked 18 months ago
    verdicts = _review(postgres_engine, apply=False)
    assert verdicts[("contacts", "2022-03")] is True
    assert verdicts[("contacts", "2022-04")] is False
    assert _count(postgres_engine, "SELECT count(*) FROM contacts WHERE contact_id = 'K-CN-OLD'") == 1  # only listed
    _review(postgres_engine, apply=True)
    with postgres_engine.connect() as connection:
        months = month_partitions(connection, "contacts")
    assert date(2022, 3, 1) not in months and date(2022, 4, 1) in months
    assert _count(postgres_engine, "SELECT count(*) FROM contacts WHERE contact_id LIKE 'K-%'") == 2


class _ProbedRetention(SqlRetention):
    """The real store, and before each month's rows are read a second connection reads the contacts
    (giving up if it waits 300 ms for a lock) and lists the months of contacts it sees."""

    def __init__(self, connection: Connection, engine: Engine, probes: list[Any]) -> None:
        super().__init__(connection)
        self._engine, self._probes = engine, probes

    def rows_by_jurisdiction(self, table: str, month: date) -> dict[str, int]:
        with self._engine.connect() as other:
            other.exec_driver_sql("SET lock_timeout = '300ms'")
            rows = other.exec_driver_sql("SELECT count(*) FROM contacts").scalar()
            self._probes.append((table, month, rows, month_partitions(other, "contacts")))
        return super().rows_by_jurisdiction(table, month)


class _ProbedUnitOfWork(SqlRetentionUnitOfWork):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.probes: list[Any] = []

    def _bind(self, connection: Connection) -> None:
        self.retention = _ProbedRetention(connection, self._engine, self.probes)


def test_each_dropped_month_is_committed_and_its_table_readable_while_the_next_month_is_reviewed(
    postgres_engine: Engine
) -> None:
    _customer(postgres_engine, "C-CN", "CN")
    with postgres_engine.begin() as connection:
        ensure_months(connection, "contacts", [date(2022, 3, 1), date(2022, 4, 1)])
        ensure_months(connection, "contact_attempts", [date(2022, 5, 1)])
    _contact(postgres_engine, "K-MAR", "C-CN", datetime(2022, 3, 10, 2, tzinfo=UTC))
    _contact(postgres_engine, "K-APR", "C-CN", datetime(2022, 4, 10, 2, tzinfo=UTC))
    uow = _ProbedUnitOfWork(postgres_engine)
    reviewed = review_retention(uow, ReviewRetention(date(2026, 12, 7), NOW, apply=True))
    assert {(m.table, m.month) for m in reviewed if m.dropped} == {
        ("contacts", date(2022, 3, 1)), ("contacts", date(2022, 4, 1)), ("contact_attempts", date(2022, 5, 1))}
    by_month = {(table, month): (rows, seen) for table, month, rows, seen in uow.probes}
    rows, seen = by_month[("contacts", date(2022, 4, 1))]  # March of contacts dropped just before
    assert rows == 1 and date(2022, 3, 1) not in seen and date(2022, 4, 1) in seen
    rows, seen = by_month[("contact_attempts", date(2022, 5, 1))]
    assert rows == 0 and not {date(2022, 3, 1), date(2022, 4, 1)} & set(seen)


def _decision(engine: Engine, decided_for: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO compliance_decisions (decided_for, mode, request_digest, customer_id, pack_versions, "
            "decision, rules, reasons, warnings) "
            "VALUES (:at, 'check', 'd', 'C-CN', '{\"CN\": \"x\"}', 'allow', '[]', '[]', '[]')"),
            {"at": decided_for})


def test_the_decision_chain_verifies_after_its_oldest_month_was_dropped(postgres_engine: Engine) -> None:
    _customer(postgres_engine, "C-CN", "CN")
    with postgres_engine.begin() as connection:
        ensure_months(connection, "compliance_decisions", [date(2021, 1, 1)])
    for day in (3, 4):
        _decision(postgres_engine, datetime(2021, 1, day, tzinfo=UTC))
    _decision(postgres_engine, NOW - timedelta(days=2))
    chains = SqlAuditChains(postgres_engine)
    chains.seal("compliance_decisions", now=NOW, settle=timedelta(minutes=5))
    assert chains.first_break("compliance_decisions") is None
    assert _review(postgres_engine, apply=True)[("compliance_decisions", "2021-01")] is True
    assert _count(postgres_engine, "SELECT count(*) FROM compliance_decisions") == 1
    assert chains.first_break("compliance_decisions") is None  # the kept row links to the anchor
    with postgres_engine.begin() as connection:  # and a changed row is still found
        connection.execute(text("ALTER TABLE compliance_decisions DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE compliance_decisions SET decision = 'deny'"))
    broken = chains.first_break("compliance_decisions")
    assert broken is not None


def test_an_unsealed_old_decision_month_is_kept(postgres_engine: Engine) -> None:
    with postgres_engine.begin() as connection:
        ensure_months(connection, "compliance_decisions", [date(2021, 1, 1)])
    _decision(postgres_engine, datetime(2021, 1, 3, tzinfo=UTC))
    assert _review(postgres_engine, apply=True)[("compliance_decisions", "2021-01")] is False
    assert _count(postgres_engine, "SELECT count(*) FROM compliance_decisions") == 1


@pytest.mark.parametrize("apply", [False, True])
def test_sqlite_has_no_month_partitions_and_retention_drops_nothing(sqlite_engine: Engine, apply: bool) -> None:
    assert review_retention(SqlRetentionUnitOfWork(sqlite_engine), ReviewRetention(date(2026, 12, 7), NOW, apply)) == []


def test_the_nightly_run_makes_this_month_and_the_next_two_ahead(
    postgres_engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    from arrears.bootstrap import nightly_ports
    from arrears.domain.aging import DEFAULT_LADDER
    from arrears.services.nightly.job import RunNightly, run_nightly
    from arrears.services.scoring_run import scorecard_fallback

    ingest_portfolio(ingest_uow(postgres_engine, cipher),
                     IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF, NOW))
    run_nightly(nightly_ports(postgres_engine), RunNightly(date(2031, 11, 29), NOW, DEFAULT_LADDER,
                                                           scorecard_fallback()))
    with postgres_engine.connect() as connection:
        for table in ("contacts", "contact_attempts", "compliance_decisions"):
            months = month_partitions(connection, table)
            assert {date(2031, 11, 1), date(2031, 12, 1), date(2032, 1, 1)} <= set(months), table
