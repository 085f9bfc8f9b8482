"""`arrears arrangement ...` on a real SQLite file named by ARREARS_DATABASE_URL: plans,
promises, payments, settlements, extensions, hardship, referrals; refusals exit non-zero
with the rule and the reason in Chinese and English, and store nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.adapters.storage.arrangements_tables import installment_plans
from arrears.adapters.storage.database import make_engine, migrate
from arrears.domain.access import Role
from arrears.entrypoints.cli.main import app
from arrears.services.workbench.auth import NewUser, create_user
from arrears.settings import get_settings
from ingested_rows import ingest_account

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path / 'arrears.db'}"
    engine = make_engine(url)
    migrate(engine)
    ingest_account(engine, "A1")  # owes 12000.00, 1200.00 past due
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "arrears.key"))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


def arrears(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["arrangement", *args])


AGREE = ("plan", "agree", "A1", "--months", "12", "--start", "2030-01-15", "--actor", "u1")


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_a_collector_agrees_a_plan_and_shows_it() -> None:
    result = arrears(*AGREE, "--plan-id", "PL1", "--agreement-ref", "DOC-9", "--json")
    assert result.exit_code == 0, result.output
    agreed = json.loads(result.output)
    assert (agreed["status"], agreed["principal"], agreed["months"]) == ("active", "1200.00", 12)
    assert agreed["agreement_ref"] == "DOC-9"
    assert agreed["approved_by"] == "u1 (collector)"  # a named actor alone carries a collector's authority
    shown = arrears("plan", "show", "PL1", "--as-of", "2030-01-01")
    assert shown.exit_code == 0, shown.output
    assert "#12 2030-12-15 100.00 paid 0.00 upcoming" in shown.output


def test_a_plan_beyond_the_collectors_limit_exits_3_with_the_reason_and_stores_nothing(database: Engine) -> None:
    result = arrears(*AGREE[:4], "24", *AGREE[5:])
    assert result.exit_code == 3
    assert "ARR-APPROVAL-01" in result.output and "需上级审批" in result.output
    assert "more senior approval" in result.output
    with database.connect() as connection:
        assert connection.execute(select(func.count()).select_from(installment_plans)).scalar() == 0
        assert read_audit(connection) == ()


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_an_unaffordable_plan_exits_3() -> None:
    result = arrears(*AGREE, "--income", "3000.00", "--expenses", "2950.00")
    assert result.exit_code == 3
    assert "ARR-AFFORD-01" in result.output


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_bad_input_exits_2_with_the_option_named() -> None:
    assert "--months" in arrears(*AGREE[:4], "twelve", *AGREE[5:]).output
    assert arrears(*AGREE[:4], "twelve", *AGREE[5:]).exit_code == 2
    assert (
        arrears(
            "payment", "post", "A1", "--payment-id", "P1", "--amount", "1.001", "--at", "2030-01-01T10:00+08:00"
        ).exit_code
        == 2
    )
    naive = arrears("payment", "post", "A1", "--payment-id", "P1", "--amount", "1.00", "--at", "2030-01-01T10:00")
    assert naive.exit_code == 2 and "time zone" in naive.output


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_posting_a_payment_twice_posts_it_once_and_reversing_restores_the_balance() -> None:
    post = ("payment", "post", "A1", "--payment-id", "P1", "--amount", "300.00", "--at", "2026-11-10T10:00+08:00")
    first = arrears(*post)
    assert first.exit_code == 0, first.output
    assert "owed 11700.00, past due 900.00" in first.output
    again = arrears(*post)
    assert again.exit_code == 0 and "already posted" in again.output
    assert "owed 11700.00" in again.output
    reversed_ = arrears("payment", "reverse", "P1", "--reason", "bounced")
    assert reversed_.exit_code == 0, reversed_.output
    assert "owed 12000.00, past due 1200.00" in reversed_.output
    assert arrears("payment", "reverse", "P404").exit_code == 4
    future = arrears(
        "payment", "post", "A1", "--payment-id", "P2", "--amount", "1.00", "--at", "2099-01-01T10:00+08:00"
    )
    assert future.exit_code == 3 and "in the future" in future.output


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_a_promise_is_recorded_and_appears_in_the_history() -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    due = (today + timedelta(days=5)).isoformat()
    result = arrears(
        "promise", "record", "A1", "--amount", "500.00", "--date", due, "--channel", "call", "--actor", "u1"
    )
    assert result.exit_code == 0, result.output
    history = arrears("promise", "history", "A1", "--json")
    assert json.loads(history.output)["open"] == 1
    far = (today + timedelta(days=90)).isoformat()
    refused = arrears(
        "promise", "record", "A1", "--amount", "500.00", "--date", far, "--channel", "call", "--actor", "u1"
    )
    assert refused.exit_code == 2 and "at most 30 days" in refused.output


@pytest.mark.usefixtures("database")  # the CLI finds it through the environment
def test_settlement_extension_hardship_and_referral_are_recorded_and_listed() -> None:
    offer = arrears(
        "settlement",
        "offer",
        "A1",
        "--discount",
        "0.10",
        "--first-due",
        "2030-02-01",
        "--actor",
        "u1",
        "--settlement-id",
        "S1",
    )
    assert offer.exit_code == 0, offer.output
    assert "pay 10800.00 of 12000.00" in offer.output
    needs_approval = arrears(
        "settlement", "offer", "A1", "--discount", "0.40", "--first-due", "2030-02-01", "--actor", "u1"
    )
    assert needs_approval.exit_code == 3 and "ARR-APPROVAL-01" in needs_approval.output
    assert arrears("settlement", "accept", "S1", "--actor", "u1").exit_code == 0
    ext = arrears(
        "extension",
        "request",
        "A1",
        "--original-due",
        "2030-02-01",
        "--new-due",
        "2030-02-11",
        "--actor",
        "u1",
    )
    assert ext.exit_code == 0, ext.output
    too_long = arrears(
        "extension",
        "request",
        "A1",
        "--original-due",
        "2030-02-01",
        "--new-due",
        "2030-02-21",
        "--actor",
        "u1",
    )
    assert too_long.exit_code == 3 and "ARR-APPROVAL-01" in too_long.output
    hard = arrears(
        "hardship",
        "enrol",
        "A1",
        "--kind",
        "pause",
        "--start",
        "2030-01-01",
        "--end",
        "2030-02-28",
        "--review-on",
        "2030-02-01",
        "--actor",
        "u1",
    )
    assert hard.exit_code == 0, hard.output
    no_consent = arrears("counselling", "refer", "A1", "--organisation", "NOPE", "--actor", "u1")
    assert no_consent.exit_code == 4
    listed = json.loads(arrears("list", "A1", "--json").output)
    assert [s["status"] for s in listed["settlements"]] == ["accepted"]
    assert [e["days"] for e in listed["extensions"]] == [10]
    assert [h["kind"] for h in listed["hardship"]] == ["pause"]
    assert listed["balances"]["owed"] == "12000.00"


def test_a_command_names_a_workbench_user_as_approver_never_a_role(database: Engine) -> None:
    for username, role, agency in (("lead", Role.TEAM_LEAD, None), ("admin", Role.ADMIN, None),
                                   ("agency_lead", Role.TEAM_LEAD, "AG01")):
        create_user(database, NewUser(username, "correct-horse-battery", role, agency_id=agency), datetime.now(UTC))
    for claim in (("--role", "head_of_collections"), ("--approver-role", "head_of_collections")):
        claimed = arrears("settlement", "offer", "A1", "--discount", "0.60", "--first-due", "2030-02-01",
                          "--actor", "u1", *claim)
        assert claimed.exit_code == 2 and claim[0] in claimed.output  # no such option
    unknown = arrears(*AGREE[:4], "24", *AGREE[5:], "--approved-by", "nobody")
    assert unknown.exit_code == 4 and "nobody" in unknown.output
    by_lead = arrears(*AGREE[:4], "24", *AGREE[5:], "--approved-by", "lead", "--json")
    assert by_lead.exit_code == 0, by_lead.output
    assert json.loads(by_lead.output)["approved_by"] == "lead (team_lead)"
    offer = ("settlement", "offer", "A1", "--discount", "0.60", "--first-due", "2030-02-01", "--actor", "u1")
    above_lead = arrears(*offer, "--approved-by", "lead")
    assert above_lead.exit_code == 3 and "ARR-APPROVAL-01" in above_lead.output
    other_agency = arrears(*offer[:4], "0.20", *offer[5:], "--approved-by", "agency_lead")
    assert other_agency.exit_code == 3 and "ARR-APPROVAL-06" in other_agency.output
    by_admin = arrears(*offer, "--approved-by", "admin", "--json")
    assert by_admin.exit_code == 0, by_admin.output
    settled = json.loads(by_admin.output)
    assert (settled["offered_by"], settled["approved_by"], settled["approver_role"]) == (
        "u1", "admin", "head_of_collections")
