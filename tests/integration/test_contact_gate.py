"""The stored contact gate on real SQLite and PostgreSQL: ledger, atomic caps, audit."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.bootstrap import ingest_uow
from arrears.services.contact_gate import AttemptError, SqlContactGate
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 11, 29)


@pytest.fixture
def loaded(engine: Engine, cipher: FieldCipher, small_demo: Path) -> tuple[Engine, dict[str, str]]:
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF,
                                                               datetime(2026, 11, 29, tzinfo=UTC)))
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    customers = pl.read_csv(small_demo / "customers.csv", infer_schema=False)
    shanghai = set(customers.filter(pl.col("timezone") == "Asia/Shanghai")["customer_id"])
    plain = accounts.filter(pl.col("flags").is_null() & pl.col("agency_id").is_null()
                            & pl.col("customer_id").is_in(list(shanghai)))
    mobiles = points.filter((pl.col("kind") == "mobile") & (pl.col("owner") == "debtor")
                            & (pl.col("status") == "valid"))
    row = plain.join(mobiles, on="customer_id").row(0, named=True)
    return engine, {"account": row["account_id"], "point": row["contact_point_id"], "customer": row["customer_id"]}


def _call(ids: dict[str, str], hour: int, minute: int = 0) -> ContactRequest:
    return ContactRequest(account_id=ids["account"], channel="call", contact_point_id=ids["point"],
                          at=datetime(2026, 11, 30, hour, minute, tzinfo=SHANGHAI), agent_id="G001")


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_an_allowed_call_is_reserved_in_the_ledger_and_audited(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    verdict = SqlContactGate(engine).reserve(_call(ids, 10))
    assert verdict.decision == "allow", verdict
    assert verdict.attempt_id and _count(engine, contact_attempts) == 1
    assert _count(engine, compliance_decisions) == 1
    assert any(v.startswith("CN=") for v in verdict.pack_versions)


def test_a_call_in_quiet_hours_is_denied_with_its_rule_and_nothing_is_reserved(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    verdict = SqlContactGate(engine).reserve(_call(ids, 22, 30))
    assert verdict.decision == "deny" and "CN-TIME-01" in verdict.rules
    assert verdict.reasons and verdict.attempt_id is None
    assert _count(engine, contact_attempts) == 0 and _count(engine, compliance_decisions) == 1


def test_fifty_concurrent_reservations_never_exceed_the_effective_conversation_cap(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    gate = SqlContactGate(engine)
    verdicts = []
    barrier = threading.Barrier(50)

    def dial() -> None:
        barrier.wait()
        verdicts.append(gate.reserve(_call(ids, 10)))

    threads = [threading.Thread(target=dial) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    allowed = [v for v in verdicts if v.decision == "allow"]
    assert len(verdicts) == 50
    assert len(allowed) == 3  # CN-FREQ-01: a reserved call may still become an effective conversation
    assert all("CN-FREQ-01" in v.rules for v in verdicts if v.decision != "allow")
    assert _count(engine, contact_attempts) == 3 and _count(engine, compliance_decisions) == 50


def test_dials_recorded_as_unanswered_stop_at_the_unanswered_dial_cap(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    gate = SqlContactGate(engine)
    for minute in range(6):
        verdict = gate.reserve(_call(ids, 10, minute))
        assert verdict.decision == "allow", verdict
        gate.record_outcome(verdict.attempt_id, "no_answer")  # type: ignore[arg-type]
    seventh = gate.reserve(_call(ids, 10, 30))
    assert seventh.decision == "deny" and seventh.rules == ("CN-FREQ-02",)


def test_three_effective_conversations_close_the_day_for_that_debtor(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    gate = SqlContactGate(engine)
    for hour in (9, 10, 11):
        verdict = gate.reserve(_call(ids, hour))
        gate.record_outcome(verdict.attempt_id, "conversation", "debtor")  # type: ignore[arg-type]
    fourth = gate.reserve(_call(ids, 15))
    assert fourth.decision == "deny" and "CN-FREQ-01" in fourth.rules


def test_an_outcome_is_recorded_once(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    gate = SqlContactGate(engine)
    verdict = gate.reserve(_call(ids, 10))
    gate.record_outcome(verdict.attempt_id, "no_answer")  # type: ignore[arg-type]
    with pytest.raises(AttemptError, match="already has an outcome"):
        gate.record_outcome(verdict.attempt_id, "conversation")  # type: ignore[arg-type]


def test_a_number_of_another_customer_is_refused(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    with pytest.raises(AttemptError, match="does not belong"):
        SqlContactGate(engine).preview(ContactRequest(
            account_id=ids["account"], channel="call", contact_point_id="P999999999",
            at=datetime(2026, 11, 30, 10, tzinfo=SHANGHAI)))


def test_the_decision_audit_is_append_only(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    SqlContactGate(engine).preview(_call(ids, 10))
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE compliance_decisions SET decision = 'allow'"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM compliance_decisions"))


def test_a_threatening_message_is_denied_by_the_real_screener(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    sms = ContactRequest(account_id=ids["account"], channel="sms", contact_point_id=ids["point"],
                         at=datetime(2026, 11, 30, 10, tzinfo=SHANGHAI),
                         message="【XX银行】再不还钱就爆你通讯录，让你全家都知道，后果自负！")
    verdict = SqlContactGate(engine).preview(sms)
    assert verdict.decision == "deny"
    assert {"CN-TXT-01", "CN-TXT-05"} <= set(verdict.rules)


def test_a_polite_reminder_passes_the_real_screener(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, ids = loaded
    sms = ContactRequest(account_id=ids["account"], channel="sms", contact_point_id=ids["point"],
                         at=datetime(2026, 11, 30, 10, tzinfo=SHANGHAI),
                         message="【XX银行信用卡中心】尊敬的客户，您的信用卡账单已逾期，逾期金额1,230.50元。"
                                 "如有困难可申请分期还款，详询客服热线95555。回复TD退订")
    verdict = SqlContactGate(engine).preview(sms)
    assert verdict.decision == "allow", verdict


def test_a_gate_with_a_cipher_keeps_each_decisions_request_encrypted_for_replay(  # type: ignore[no-untyped-def]
        loaded, cipher: FieldCipher) -> None:
    import json

    from sqlalchemy import select

    engine, ids = loaded
    SqlContactGate(engine, cipher=cipher).reserve(_call(ids, 22, 30))
    with engine.connect() as c:
        blob = c.execute(select(compliance_decisions.c.facts_enc)).scalar_one()
    kept = json.loads(cipher.decrypt(blob))
    assert kept["action"]["channel"] == "call" and kept["at"].startswith("2026-")
    assert b"action" not in blob  # stored encrypted
