"""Ingestion on real SQLite and PostgreSQL: whole snapshots, precise errors, idempotence."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.bootstrap import ingest_uow
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import PortfolioRefused, read_portfolio

NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 29)


def _count(engine: Engine, table: t.Table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _copy(folder: Path, tmp_path: Path, name: str = "snap") -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def _edit(folder: Path, file: str, row: int, column: str, value: str | None) -> None:
    path = folder / file
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    frame.write_csv(path)


def _ingest(engine: Engine, cipher: FieldCipher, folder: Path, as_of: date = AS_OF):
    return ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(folder, as_of), as_of, NOW))


def test_a_clean_snapshot_loads_every_row(engine: Engine, cipher: FieldCipher, small_demo: Path) -> None:
    report = _ingest(engine, cipher, small_demo)
    expected = {name: pl.read_csv(small_demo / f"{name}.csv", infer_schema=False).height
                for name in ("customers", "contact_points", "accounts", "payments", "contacts")}
    assert {name: report.counts[name].inserted for name in expected} == expected
    assert _count(engine, t.accounts) == expected["accounts"]
    assert _count(engine, t.snapshots) == 1


def test_five_bad_rows_are_refused_with_five_precise_messages_and_nothing_stored(
    engine: Engine, small_demo: Path, tmp_path: Path
) -> None:
    folder = _copy(small_demo, tmp_path)
    _edit(folder, "customers.csv", 4, "national_id", "110101199003071235")
    _edit(folder, "contact_points.csv", 9, "value", "12345")
    _edit(folder, "accounts.csv", 2, "balance", "12.345")
    _edit(folder, "payments.csv", 0, "paid_at", "2026-11-01T10:00:00")
    _edit(folder, "contacts.csv", 19, "outcome", "hung_up")
    with pytest.raises(PortfolioRefused) as refused:
        read_portfolio(folder, AS_OF)
    messages = [str(e) for e in refused.value.errors]
    assert messages == [
        "accounts.csv:4: balance: not money: expected a decimal number with at most 2 decimals, like 1234.50",
        "contact_points.csv:11: value: not a phone number (E.164 like +8613800138000 or Chinese national form)",
        "contacts.csv:21: outcome: 'hung_up' is not one of: conversation, answered_other, no_answer, "
        "voicemail, dropped, busy, not_in_service, wrong_number, delivered, failed, bounced, refused, dispute",
        "customers.csv:6: national_id: checksum fails (last character should be 3)",
        "payments.csv:2: paid_at: not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00",
    ]
    assert _count(engine, t.customers) == 0 and _count(engine, t.snapshots) == 0


def test_every_error_of_a_file_is_listed_not_only_the_first(small_demo: Path, tmp_path: Path) -> None:
    folder = _copy(small_demo, tmp_path)
    for row in (1, 5, 7):
        _edit(folder, "accounts.csv", row, "past_due_amount", "-5.00")
    _edit(folder, "accounts.csv", 8, "oldest_unpaid_due_date", "2026-02-30")
    with pytest.raises(PortfolioRefused) as refused:
        read_portfolio(folder, AS_OF)
    assert [str(e) for e in refused.value.errors] == [
        "accounts.csv:3: past_due_amount: must not be negative",
        "accounts.csv:7: past_due_amount: must not be negative",
        "accounts.csv:9: past_due_amount: must not be negative",
        "accounts.csv:10: oldest_unpaid_due_date: not a date: expected YYYY-MM-DD",
    ]


def test_a_missing_required_column_is_reported_on_the_header_line(small_demo: Path, tmp_path: Path) -> None:
    folder = _copy(small_demo, tmp_path)
    frame = pl.read_csv(folder / "accounts.csv", infer_schema=False).drop("balance")
    frame.write_csv(folder / "accounts.csv")
    with pytest.raises(PortfolioRefused) as refused:
        read_portfolio(folder, AS_OF)
    assert [str(e) for e in refused.value.errors] == ["accounts.csv:1: balance: required column is missing"]


def test_a_failure_while_loading_leaves_nothing_half_written(
    engine: Engine, cipher: FieldCipher, small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arrears.adapters.storage import ingest_store

    real = ingest_store.load_table

    def fail_on_contacts(connection, loader, frame, cipher):  # type: ignore[no-untyped-def]
        if loader.source == "contacts":
            raise RuntimeError("disk full")
        return real(connection, loader, frame, cipher)

    monkeypatch.setattr(ingest_store, "load_table", fail_on_contacts)
    with pytest.raises(RuntimeError, match="disk full"):
        _ingest(engine, cipher, small_demo)
    assert _count(engine, t.customers) == 0 and _count(engine, t.accounts) == 0


def test_ingesting_the_same_snapshot_twice_changes_nothing(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _ingest(engine, cipher, small_demo)
    with engine.connect() as connection:
        before = connection.execute(select(t.customers.c.customer_id, t.customers.c.name_enc)).all()
    again = _ingest(engine, cipher, small_demo)
    assert again.already_loaded
    with engine.connect() as connection:
        after = connection.execute(select(t.customers.c.customer_id, t.customers.c.name_enc)).all()
    assert sorted(before) == sorted(after) and _count(engine, t.snapshots) == 1


def test_the_same_content_in_parquet_is_recognised_row_by_row_as_unchanged(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    _ingest(engine, cipher, small_demo)
    folder = tmp_path / "parquet"
    folder.mkdir()
    for csv in small_demo.glob("*.csv"):
        pl.read_csv(csv, infer_schema=False).write_parquet(folder / f"{csv.stem}.parquet")
    report = _ingest(engine, cipher, folder)
    assert not report.already_loaded
    assert all(c.inserted == 0 and c.updated == 0 for c in report.counts.values())


def test_a_later_snapshot_updates_balances_and_appends_only_new_contacts_and_payments(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    _ingest(engine, cipher, small_demo)
    contacts_before = _count(engine, t.contacts)
    later = _copy(small_demo, tmp_path, "later")
    _edit(later, "accounts.csv", 0, "balance", "99.99")
    _edit(later, "accounts.csv", 0, "past_due_amount", "50.00")  # past due is part of the balance
    contacts = pl.read_csv(later / "contacts.csv", infer_schema=False)
    extra = contacts.head(2).with_columns(pl.Series("contact_id", ["KNEW1", "KNEW2"]))
    contacts.slice(1).vstack(extra).write_csv(later / "contacts.csv")  # one old contact missing
    payments = pl.read_csv(later / "payments.csv", infer_schema=False)
    payments.vstack(payments.head(1).with_columns(pl.Series("payment_id", ["YNEW"]))).write_csv(
        later / "payments.csv"
    )
    report = _ingest(engine, cipher, later, date(2026, 11, 30))
    assert report.counts["accounts"].updated == 1
    assert report.counts["contacts"].inserted == 2
    assert report.counts["payments"].inserted == 1
    assert _count(engine, t.contacts) == contacts_before + 2  # history kept, nothing removed
    first = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)["account_id"][0]
    with engine.connect() as connection:
        balance = connection.execute(
            select(t.accounts.c.balance_cents).where(t.accounts.c.account_id == first)
        ).scalar_one()
    assert balance == 9999


def test_an_account_missing_from_a_later_snapshot_leaves_the_portfolio_but_keeps_its_history(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    _ingest(engine, cipher, small_demo)
    later = _copy(small_demo, tmp_path, "later")
    accounts = pl.read_csv(later / "accounts.csv", infer_schema=False)
    gone = accounts["account_id"][0]
    accounts.slice(1).write_csv(later / "accounts.csv")
    for name in ("contacts", "payments"):
        frame = pl.read_csv(later / f"{name}.csv", infer_schema=False)
        frame.filter(pl.col("account_id") != gone).write_csv(later / f"{name}.csv")
    report = _ingest(engine, cipher, later, date(2026, 11, 30))
    assert report.counts["accounts"].left_portfolio == 1
    with engine.connect() as connection:
        row = connection.execute(select(t.accounts.c.in_portfolio).where(t.accounts.c.account_id == gone)).one()
        kept = connection.execute(
            select(func.count()).select_from(t.contacts).where(t.contacts.c.account_id == gone)
        ).scalar_one()
    assert row.in_portfolio is False or row.in_portfolio == 0
    assert kept > 0


def test_a_dispute_flag_opens_a_pause_and_its_removal_closes_it(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    first = _copy(small_demo, tmp_path, "first")
    _edit(first, "accounts.csv", 3, "flags", "dispute")
    _ingest(engine, cipher, first, date(2026, 11, 29))
    second = _copy(small_demo, tmp_path, "second")
    _edit(second, "accounts.csv", 3, "flags", None)
    _ingest(engine, cipher, second, date(2026, 12, 5))
    account = pl.read_csv(first / "accounts.csv", infer_schema=False)["account_id"][3]
    with engine.connect() as connection:
        pause = connection.execute(
            select(t.pause_periods.c.start, t.pause_periods.c.end).where(t.pause_periods.c.account_id == account)
        ).one()
    assert (pause.start, pause.end) == (date(2026, 11, 29), date(2026, 12, 4))


def test_phones_are_stored_encrypted_and_found_by_keyed_hash(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _ingest(engine, cipher, small_demo)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    phone = points["value"][0]
    with engine.connect() as connection:
        row = connection.execute(
            select(t.contact_points.c.contact_point_id, t.contact_points.c.value_enc,
                   t.contact_points.c.value_masked)
            .where(t.contact_points.c.value_hash == cipher.lookup_hash(phone))
        ).one()
    assert row.contact_point_id == points["contact_point_id"][0]
    assert cipher.decrypt(row.value_enc) == phone
    assert row.value_masked == "*******" + phone[-4:]  # +86 and the first 7 of 11 digits hidden


def test_on_postgresql_the_loaded_tables_have_planner_statistics_when_ingest_commits(
    postgres_engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _ingest(postgres_engine, cipher, small_demo)
    with postgres_engine.connect() as connection:
        analysed = set(connection.execute(text(
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")).scalars())
    assert {"customers", "accounts", "contact_points", "contacts", "payments"} <= analysed
