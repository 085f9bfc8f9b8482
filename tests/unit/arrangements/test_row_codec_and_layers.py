"""The row codec (dataclass fields to columns and back, checked against its table) and the
layers of the arrangements capability (adapters import no services; its entrypoints import
no storage: they get units of work from ``bootstrap``)."""

import ast
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table

import arrears
from arrears.adapters.storage.arrangements_repository import APPROVALS, HARDSHIP, LEDGERS, PLANS
from arrears.adapters.storage.row_codec import RowCodec, Shape
from arrears.adapters.storage.values import StoredValueError
from arrears.domain.arrangements.approvals import Approval, ApprovalKind, Authority
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.payments import AccountLedger, Balances, Payment, post_payment
from arrears.domain.arrangements.plans import InstallmentPlan, PlanBasis, SignedAgreement, activate
from arrears.domain.arrangements.schedule import FeePolicy, quote_schedule
from arrears.domain.money import Money

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SH)
SRC = Path(arrears.__file__).parent


@dataclass(frozen=True)
class Fee:
    fee_id: str
    amount: Money
    charged_on: date


def _table(*columns: Column) -> Table:
    return Table("fees", MetaData(), Column("fee_id", String(64), primary_key=True), *columns)


def test_a_codec_refuses_a_table_that_lacks_a_field_of_its_dataclass_or_has_a_column_it_lacks() -> None:
    with pytest.raises(TypeError, match=r"makes \['charged_on'\] that the table lacks"):
        RowCodec(_table(Column("amount_cents", BigInteger), Column("currency", String(3))), "fee_id", Shape(Fee))
    with pytest.raises(TypeError, match=r"lacks \['note'\]"):
        RowCodec(_table(Column("amount_cents", BigInteger), Column("currency", String(3)), Column("charged_on", Date),
                        Column("note", String(10))), "fee_id", Shape(Fee))


def test_money_goes_to_cents_and_its_currency_and_a_finer_amount_is_refused() -> None:
    codec: RowCodec[Fee] = RowCodec(_table(Column("amount_cents", BigInteger), Column("currency", String(3)),
                                           Column("charged_on", Date)), "fee_id", Shape(Fee))
    fee = Fee("F1", Money.of("12.30", "USD"), date(2026, 3, 1))
    row = codec.row(fee)
    assert row == {"fee_id": "F1", "amount_cents": 1230, "currency": "USD", "charged_on": date(2026, 3, 1)}
    assert codec.item(row) == fee
    with pytest.raises(StoredValueError, match="finer than a cent"):
        codec.row(Fee("F2", Money(Decimal("0.001")), date(2026, 3, 1)))


def test_a_plan_lies_flat_in_its_row_with_its_schedule_lines_numbered_and_comes_back_equal() -> None:
    schedule = quote_schedule(Money.of("1200.00"), 3, date(2026, 3, 15), FeePolicy.interest(Decimal("0.18")))
    proposed = InstallmentPlan("PL1", "A1", PlanBasis.PAST_DUE, schedule, "u1", NOW, approved_by="u1 (collector)")
    plan = activate(proposed, SignedAgreement("customer:C1", NOW, "DOC-1", "ab" * 32), date(2026, 3, 1))
    row, lines = PLANS.row(plan), PLANS.line_rows(plan)
    assert (row["principal_cents"], row["currency"], row["fee_kind"], row["fee_rate"]) == (120000, "CNY", "interest",
                                                                                           "0.18")
    assert (row["agreement_ref"], row["proposed_at"], row["status"]) == ("DOC-1", NOW.astimezone(UTC), "active")
    assert [(line["plan_id"], line["number"]) for line in lines] == [("PL1", 1), ("PL1", 2), ("PL1", 3)]
    assert PLANS.item(row, lines) == plan
    unsigned = PLANS.row(proposed)
    assert unsigned["agreement_ref"] is None and PLANS.item(unsigned, lines).agreement is None


def test_a_ledger_opens_with_no_stored_credit_and_keeps_its_payments_in_posting_order() -> None:
    opening = Balances.opening(Money.of("10.00"), Money.of("0.00"), Money.of("90.00"), Money.of("50.00"),
                               date(2026, 1, 15))
    ledger = post_payment(AccountLedger("A1", opening), Payment.received("P1", "A1", Money.of("20.00"), NOW)).ledger
    row, lines = LEDGERS.row(ledger), LEDGERS.line_rows(ledger)
    assert "opening_credit_cents" not in row and row["allocation_order"] == "fees,interest,principal"
    assert [(line["seq"], line["payment_id"], line["fees_cents"]) for line in lines] == [(0, "P1", 1000)]
    assert LEDGERS.item(row, lines) == ledger


def test_optional_money_has_its_own_currency_and_a_blank_nullable_text_is_null() -> None:
    pause = HardshipProgramme("H1", "A1", HardshipKind.PAUSE, date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 15),
                              "u1", NOW)
    row = HARDSHIP.row(pause)
    assert (row["token_amount_cents"], row["token_currency"]) == (None, None)
    assert HARDSHIP.item(row) == pause
    asked = Approval("AP-1", ApprovalKind.PLAN, "A1", {"months": "24"}, "maker", Authority.TEAM_LEAD, NOW)
    stored = APPROVALS.row(asked)
    assert (stored["decided_by"], stored["parameters"]) == (None, '{"months": "24"}')
    assert APPROVALS.item(stored).decided_by == ""


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_no_adapter_imports_a_service() -> None:
    offending = [str(p.relative_to(SRC)) for p in (SRC / "adapters").rglob("*.py")
                 if any(m.startswith("arrears.services") for m in _imports(p))]
    assert offending == []


def test_the_arrangements_entrypoints_import_no_storage_and_the_api_imports_no_cli() -> None:
    entrypoints = [*SRC.glob("entrypoints/**/arrangement*.py"), *SRC.glob("entrypoints/cli/arrangements/*.py")]
    assert len(entrypoints) >= 5
    for path in entrypoints:
        imported = _imports(path)
        assert not any(m.startswith("arrears.adapters") for m in imported), path
        if "api" in path.parts:
            assert not any(m.startswith("arrears.entrypoints.cli") for m in imported), path
