"""US customers: no e-mail to an address their employer provides. The portfolio marks it
(contact_points.csv ``employer_provided``), ingest stores it, the sender's check refuses it with
rule US-EMAIL-01 (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.bootstrap import ingest_uow
from arrears.services.ingest.load import IngestPortfolio, ingest_portfolio
from arrears.services.outreach.addresses import employer_email_refusal
from arrears.services.portfolio_files import read_portfolio

AS_OF = date(2026, 11, 29)


def _portfolio(folder: Path) -> Path:
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "customer_id,name,language,timezone,jurisdiction\n"
        "C1,John Doe,en,America/New_York,US\nC2,张三,zh,Asia/Shanghai,CN\n", encoding="utf-8")
    (folder / "contact_points.csv").write_text(
        "contact_point_id,customer_id,kind,value,owner,employer_provided\n"
        "P1,C1,email,john.doe@acme.example,debtor,true\nP2,C1,email,jd@mail.example,debtor,\n"
        "P3,C2,email,zhangsan@corp.example,debtor,true\n", encoding="utf-8")
    (folder / "accounts.csv").write_text(
        "account_id,customer_id,currency,balance,past_due_amount\nA1,C1,USD,100.00,50.00\n"
        "A2,C2,CNY,100.00,50.00\n", encoding="utf-8")
    return folder


def test_an_employer_provided_address_of_a_us_customer_is_refused(engine: Engine, cipher: FieldCipher,
                                                                   tmp_path: Path) -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    portfolio = read_portfolio(_portfolio(tmp_path / "p"), AS_OF)
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(portfolio, AS_OF, now))
    with engine.connect() as connection:
        stored = dict(connection.execute(select(t.contact_points.c.contact_point_id,
                                                t.contact_points.c.employer_provided)).all())
        refused = employer_email_refusal(connection, "P1", "en")
        assert stored == {"P1": True, "P2": None, "P3": True}
        assert refused is not None and refused.rules == ("US-EMAIL-01",) and not refused.allowed
        assert "employer" in refused.reasons[0] and "1006.22(f)(3)" in refused.reasons[0]
        assert employer_email_refusal(connection, "P2") is None  # a personal address
        assert employer_email_refusal(connection, "P3") is None  # a CN customer: Reg F does not apply


def test_the_stored_gate_refuses_e_mail_to_an_employer_provided_address_on_every_path(
    engine: Engine, cipher: FieldCipher, tmp_path: Path
) -> None:
    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.contact_gate_port import ContactRequest

    now = datetime(2026, 11, 30, 15, tzinfo=UTC)  # 10:00 in New York
    portfolio = read_portfolio(_portfolio(tmp_path / "p"), AS_OF)
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(portfolio, AS_OF, now))
    gate = SqlContactGate(engine)
    work = gate.preview(ContactRequest("A1", "email", now, "P1", None), "en")
    personal = gate.preview(ContactRequest("A1", "email", now, "P2", None), "en")
    assert not work.allowed and "US-EMAIL-01" in work.rules
    assert "US-EMAIL-01" not in personal.rules
