"""The operation's report read from the stored ledgers (SQLite and PostgreSQL): each event counted
once across the portfolio's history and the ledger, reserved attempts and reversed payments left
out, promises judged by the payments, an agency's view limited to its accounts; and
`arrears report` writing report.html (self-contained) and report.xlsx with the same figures."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, insert, update
from typer.testing import CliRunner

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.reporting_reader import SqlReportingSource
from arrears.domain.reporting import ReportRange
from arrears.entrypoints.cli.main import app
from arrears.services.reporting.figures import report_for
from arrears.settings import get_settings
from ingested_rows import ingest_account, ingest_contact_promise, ingest_payment

SH = ZoneInfo("Asia/Shanghai")
D1, D2, D5 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 5)
RANGE = ReportRange(D1, D5, "Asia/Shanghai")


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SH)


def attempt(engine: Engine, attempt_id: str, account: str, *, when: datetime, outcome: str | None,
            contact_id: str | None = None, complaint: bool = False) -> None:
    with engine.begin() as c:
        c.execute(insert(contact_attempts).values(
            attempt_id=attempt_id, account_id=account, customer_id=f"C-{account}", channel="call", party="debtor",
            at=when, automated=False, purpose="collection", outcome=outcome, contact_id=contact_id,
            agent_id="AG-9", complaint=complaint))


def portfolio(engine: Engine) -> None:
    ingest_account(engine, "A1")
    ingest_account(engine, "A2")
    with engine.begin() as c:
        c.execute(insert(t.agencies).values(agency_id="AGY", name="某某委外", row_digest="d" * 32))
        c.execute(update(t.accounts).where(t.accounts.c.account_id == "A2").values(agency_id="AGY"))
    # a promise of 300.00 taken on D1 (due D2: deadline D4), kept by a payment of 300.00 on D2
    ingest_contact_promise(engine, "K1", "A1", at=at(D1, 10), cents=30_000, on=D2)
    ingest_payment(engine, "P1", "A1", at=at(D2, 9), cents=30_000)
    ingest_payment(engine, "P2", "A1", at=at(D2, 9), cents=99_900, reversed_=True)  # reversed: not collected
    ingest_payment(engine, "P3", "A2", at=at(D5, 23), cents=1_050)  # 23:00 Shanghai on D5: still D5
    attempt(engine, "X1", "A1", when=at(D1, 10), outcome="conversation", contact_id="K1")  # the same contact
    attempt(engine, "X2", "A2", when=at(D2, 20), outcome="refused", complaint=True)
    attempt(engine, "X3", "A2", when=at(D2, 21), outcome=None)  # reserved, no outcome yet
    with engine.begin() as c:
        c.execute(insert(compliance_decisions).values(
            decided_for=at(D2, 23), mode="reserve", request_digest="x" * 64, account_id="A2", customer_id="C-A2",
            channel="call", pack_versions="{}", decision="deny", rules='["CN-HOURS-01"]', reasons="[]",
            warnings="[]"))
        c.execute(insert(t.roll_rates).values(as_of=D2, from_bucket="M1", to_bucket="M2", accounts=3,
                                              balance_cents=1))
        c.execute(insert(t.roll_rates).values(as_of=D2, from_bucket="M1", to_bucket="M0", accounts=1,
                                              balance_cents=1))


def test_the_report_counts_each_event_once_from_the_stored_ledgers(engine: Engine) -> None:
    portfolio(engine)
    report = report_for(SqlReportingSource(engine), RANGE)
    total = report.total
    assert (total.contacts, total.right_party, total.complaints) == (2, 2, 1)
    assert (total.promises_made, total.promised_amount) == (1, Decimal("300.00"))
    assert (total.promises_kept, total.kept_amount, total.promises_broken) == (1, Decimal("300.00"), 0)
    assert total.collected == Decimal("310.50")
    assert total.blocked == 1
    days = dict(report.days)
    assert days[D5].collected == Decimal("10.50")
    assert days[date(2026, 11, 4)].promises_kept == 1  # counted on the deadline (promised D2 + 2 grace days)
    assert report.hours[20].right_party == 1
    assert report.roll.rate("M1", "M2") == 0.75
    assert report.by["agency"]["AGY"].collected == Decimal("10.50")
    assert report.by["collector"]["AG-9"].contacts == 1


def test_an_agencys_view_holds_only_the_accounts_placed_with_it(engine: Engine) -> None:
    portfolio(engine)
    report = report_for(SqlReportingSource(engine), ReportRange(D1, D5, "Asia/Shanghai", agency="AGY"))
    assert (report.total.contacts, report.total.collected, report.total.promises_made) == (1, Decimal("10.50"), 0)
    assert report.roll.buckets == ()  # roll rates are the whole portfolio's, not an agency's


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path / 'arrears.db'}"
    engine = make_engine(url)
    migrate(engine)
    portfolio(engine)
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "arrears.key"))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize("language", ["zh", "en"])
def test_arrears_report_writes_a_self_contained_page_and_a_workbook_with_the_same_figures(
        tmp_path: Path, language: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--from", "2026-11-01", "--to", "2026-11-05", "--out", str(out),
                                      "--lang", language])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing loaded from elsewhere
    assert "echarts.init" in page and 't.version="6.1.0"' in page
    assert ("Collected (CNY)" if language == "en" else "回收金额") in page
    book = load_workbook(out / "report.xlsx")
    assert book.sheetnames == ["KPIs by day", "Roll rates", "Collectors", "Agencies", "Segments", "Strategies",
                               "Champion-challenger", "Contact by hour", "Blocked by rule"]
    days = book["KPIs by day"]
    header = [c.value for c in days[1]]
    total_row = [c.value for c in days[days.max_row]]
    assert total_row[header.index("Collected (CNY)" if language == "en" else "回收金额")] == pytest.approx(310.50)
    assert total_row[header.index("Contacts" if language == "en" else "联系次数")] == 2
    roll = book["Roll rates"]
    assert [c.value for c in roll[1]][:4] == ["From \\ to" if language == "en" else "期初账龄 \\ 期末", "M0", "M1",
                                              "M2"]


@pytest.mark.usefixtures("database")
def test_a_backwards_range_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--from", "2026-11-05", "--to", "2026-11-01", "--out",
                                      str(tmp_path)])
    assert result.exit_code == 2
    assert "before --from" in result.output
    assert not (tmp_path / "report.html").exists()
