"""Allocation on SQLite and PostgreSQL: placements by the rules within capacity, accounts.agency_id
kept equal to the active placement, recalls at the period's end and by hand, moves, accounts the
portfolio file placed, and a new file unable to give a recalled account back to its agency."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, update

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.allocation_repository import SqlAllocationUnitOfWork, reapply_placements
from arrears.adapters.storage.allocation_tables import placements
from arrears.adapters.storage.audit_tables import audit_events
from arrears.services.allocation.placements import (
    Allocate,
    AllocationError,
    Move,
    Recall,
    allocate_accounts,
    move_accounts,
    recall_accounts,
)
from arrears.services.allocation.rules import read_rules
from ingested_rows import ingest_account

ON = date(2026, 12, 8)
NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
RULES = """version: 1
agencies:
  AG01: {capacity: 2, placement_days: 30}
  AG02: {capacity: 4, placement_days: 60}
rules:
  - {name: early, buckets: [M1], target: in_house}
  - {name: late, buckets: [M4], target: [AG01, AG02]}
"""


@pytest.fixture
def rules(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return read_rules(path)


def portfolio(engine: Engine) -> None:
    buckets = {"A1": ("M4", 3_000_000), "A2": ("M4", 2_000_000), "A3": ("M4", 1_000_000), "A4": ("M1", 900_000),
               "A5": ("M4", 500_000)}
    for account_id, (_bucket, cents) in buckets.items():
        ingest_account(engine, account_id, principal=cents, fees=0, interest=0)
    with engine.begin() as c:
        for agency in ("AG01", "AG02"):
            c.execute(insert(t.agencies).values(agency_id=agency, name=agency, authorized_until=date(2027, 12, 31),
                                                row_digest="d" * 32))
        for account_id, (bucket, cents) in buckets.items():
            c.execute(insert(t.account_aging).values(as_of=ON, account_id=account_id, dpd=100, bucket=bucket,
                                                     balance_cents=cents, past_due_cents=1))
        c.execute(update(t.accounts).where(t.accounts.c.account_id == "A5").values(agency_id="AG02"))  # by the file


def agencies(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as c:
        return dict(c.execute(select(t.accounts.c.account_id, t.accounts.c.agency_id)).all())


def test_allocation_places_by_the_rules_within_capacity_and_keeps_the_accounts_agency(engine: Engine, rules) -> None:
    portfolio(engine)
    report = allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", rules), NOW)
    assert report.committed and dict(report.placed) == {"AG01": 2, "AG02": 1}
    assert agencies(engine) == {"A1": "AG01", "A2": "AG01", "A3": "AG02", "A4": None, "A5": "AG02"}
    with engine.connect() as c:
        rows = c.execute(select(placements.c.account_id, placements.c.until, placements.c.balance_cents)
                         .order_by(placements.c.account_id)).all()
        audited = c.execute(select(audit_events.c.subject).where(audit_events.c.action == "placement.placed")).all()
    assert rows[0] == ("A1", date(2027, 1, 6), 3_000_000) and len(audited) == 3
    again = allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", rules), NOW)
    assert sum(again.placed.values()) == 0  # nothing moves twice


def test_a_dry_run_changes_nothing(engine: Engine, rules) -> None:
    portfolio(engine)
    report = allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "x", rules, dry_run=True), NOW)
    assert sum(report.placed.values()) == 3 and not report.committed
    assert agencies(engine)["A1"] is None


def test_placements_come_back_at_the_end_of_their_period(engine: Engine, rules) -> None:
    portfolio(engine)
    allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", rules), NOW)
    later = allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(date(2027, 1, 7), "nightly", rules), NOW)
    assert later.recalled["period_ended"] == 2  # AG01's 30 days are over; AG02's 60 are not
    assert agencies(engine)["A3"] == "AG02"


def test_a_recall_by_hand_brings_the_account_home_and_a_new_file_cannot_give_it_back(engine: Engine, rules) -> None:
    portfolio(engine)
    allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", rules), NOW)
    assert recall_accounts(SqlAllocationUnitOfWork(engine), Recall(("A1", "A5"), ON, "lead", "客户投诉"), NOW) == 2
    assert agencies(engine)["A1"] is None and agencies(engine)["A5"] is None
    with engine.begin() as c:  # the next portfolio file still names the agencies
        c.execute(update(t.accounts).values(agency_id="AG01").where(t.accounts.c.account_id.in_(["A1", "A5"])))
        reapply_placements(c)
    assert agencies(engine)["A1"] is None and agencies(engine)["A5"] is None
    with engine.connect() as c:
        notes = c.execute(select(placements.c.recall_reason, placements.c.recall_note)
                          .where(placements.c.account_id == "A5")).all()
    assert notes == [("by_hand", "客户投诉")]


def test_a_recall_needs_a_reason_and_placed_accounts(engine: Engine) -> None:
    portfolio(engine)
    with pytest.raises(AllocationError, match="reason"):
        recall_accounts(SqlAllocationUnitOfWork(engine), Recall(("A5",), ON, "lead", " "), NOW)
    with pytest.raises(AllocationError, match="A4"):
        recall_accounts(SqlAllocationUnitOfWork(engine), Recall(("A4", "A5"), ON, "lead", "x"), NOW)
    assert agencies(engine)["A5"] == "AG02"  # nothing half done


def test_a_move_recalls_from_one_agency_and_places_with_another_within_its_capacity(engine: Engine, rules) -> None:
    portfolio(engine)
    allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", rules), NOW)
    moved = move_accounts(SqlAllocationUnitOfWork(engine),
                          Move(("A1", "A4"), ON, "lead", "调案", to_agency="AG02", rules=rules), NOW)
    assert moved == 2 and agencies(engine)["A1"] == "AG02" and agencies(engine)["A4"] == "AG02"
    with pytest.raises(AllocationError, match="capacity"):
        move_accounts(SqlAllocationUnitOfWork(engine), Move(("A2",), ON, "lead", "x", to_agency="AG02", rules=rules),
                      NOW)
    with engine.connect() as c:
        reasons = sorted(str(r) for (r,) in c.execute(select(placements.c.recall_reason).where(
            placements.c.account_id == "A1")))
    assert reasons == ["None", "moved"]  # the move's placement is active, the old one recalled


def test_the_monthly_statement_counts_payments_received_while_placed_and_the_agencys_findings(
        engine: Engine, tmp_path: Path) -> None:
    from decimal import Decimal

    from arrears.adapters.storage.allocation_repository import SqlCommissionSource
    from arrears.adapters.storage.gate_tables import compliance_decisions
    from arrears.services.allocation.commission import commission_statements
    from arrears.services.allocation.rules import read_rules
    from ingested_rows import ingest_payment

    path = tmp_path / "commission.yaml"
    path.write_text(RULES.replace("  AG01: {capacity: 2, placement_days: 30}",
                                  "  AG01:\n    capacity: 2\n    placement_days: 30\n    commission:\n"
                                  "      by_bucket: {M4: \"0.15\"}\n      holdback_per_finding: \"0.10\""),
                    encoding="utf-8")
    portfolio(engine)
    with_terms = read_rules(path)
    allocate_accounts(SqlAllocationUnitOfWork(engine), Allocate(ON, "nightly", with_terms), NOW)  # A1, A2 -> AG01
    at = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
    ingest_payment(engine, "P1", "A1", at=at, cents=100_000)  # while placed: counts
    ingest_payment(engine, "P2", "A4", at=at, cents=50_000)  # in house: not AG01's
    ingest_payment(engine, "P3", "A2", at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC), cents=70_000)  # before placing
    with engine.begin() as c:
        c.execute(insert(t.agents).values(agent_id="AGT-9", agency_id="AG01", row_digest="d" * 32))
        c.execute(insert(compliance_decisions).values(
            decided_for=at, mode="reserve", request_digest="x" * 64, account_id="A1", customer_id="C-A1",
            channel="call", agent_id="AGT-9", pack_versions="{}", decision="deny", rules="[]", reasons="[]",
            warnings="[]"))
    (ag01,) = commission_statements(SqlCommissionSource(engine), with_terms, "2026-12", "Asia/Shanghai")
    assert [line.account_id for line in ag01.lines] == ["A1"]
    assert (ag01.gross, ag01.findings, ag01.held_back, ag01.net) == (
        Decimal("150.00"), 1, Decimal("15.00"), Decimal("135.00"))
