"""Maker–checker approval requests on a real database (SQLite and PostgreSQL): stored exactly,
decided once (compare-and-set, even by checkers at the same moment), and approved in one
transaction with the booking."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from threading import Barrier
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork, read_audit
from arrears.adapters.storage.arrangements_tables import installment_plans, settlements
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.approvals import Approval, ApprovalKind, ApprovalStatus, Authority
from arrears.services.arrangements import approvals
from arrears.services.arrangements import common as svc
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.plans import AgreePlan
from arrears.services.arrangements.settlements import OfferSettlement
from ingested_rows import ingest_account

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SH)
COLLECTOR = Signer("collector", Authority.COLLECTOR)


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_approval_request_is_stored_exactly_and_decided_only_once(engine: Engine) -> None:
    uow = SqlArrangementsUnitOfWork(engine)
    asked = Approval("AP-1", ApprovalKind.PLAN, "A1", {"months": "24", "agreement_ref": "协议-1"}, "collector",
                     Authority.TEAM_LEAD, NOW)
    with uow:
        uow.approvals.add(asked)
        uow.commit()
    with uow:
        stored = uow.approvals.get("AP-1")
        assert stored == asked and stored is not None and stored.created_at.tzinfo is not None
        assert uow.approvals.listed(ApprovalStatus.PENDING) == (asked,)
        rejected = asked.decided(ApprovalStatus.REJECTED, "lead", datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "不符合")
        assert uow.approvals.decide(rejected)
        assert not uow.approvals.decide(asked.decided(ApprovalStatus.APPROVED, "head", NOW))
        uow.commit()
    with uow:
        assert uow.approvals.get("AP-1") == rejected
        assert uow.approvals.listed(ApprovalStatus.PENDING) == ()
        assert uow.approvals.listed(ApprovalStatus.REJECTED) == (rejected,)


def test_an_approval_the_account_no_longer_allows_rolls_back_the_decision_and_the_booking(engine: Engine) -> None:
    ingest_account(engine, "A1")
    uow, portfolio = SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine)
    pending = approvals.submit(uow, portfolio, AgreePlan("PL1", "A1", 24, date(2026, 12, 15)),
                               maker=COLLECTOR, now=NOW)
    assert isinstance(pending, approvals.Pending)
    approvals.submit(uow, portfolio, AgreePlan("PL2", "A1", 12, date(2026, 12, 15)),
                     maker=COLLECTOR, now=NOW)
    try:
        approvals.approve(uow, portfolio, approvals.Approve(pending.approval.approval_id),
                          checker=Signer("lead", Authority.TEAM_LEAD), now=NOW)
        raise AssertionError("a second active plan was approved")
    except svc.ArrangementRefused as refused:
        assert refused.decision.rule_id == "ARR-PLAN-01"
    with uow:
        assert uow.approvals.get(pending.approval.approval_id).status is ApprovalStatus.PENDING
    assert _count(engine, installment_plans) == 1
    with engine.connect() as connection:
        assert "approval.approved" not in [e.action for e in read_audit(connection)]


def test_checkers_approving_the_same_request_at_the_same_moment_book_it_once(engine: Engine) -> None:
    ingest_account(engine, "A1")
    portfolio = SqlPortfolioReader(engine)
    pending = approvals.submit(SqlArrangementsUnitOfWork(engine), portfolio,
                               OfferSettlement("S1", "A1", Decimal("0.60"), date(2026, 12, 20)), maker=COLLECTOR,
                               now=NOW)
    assert isinstance(pending, approvals.Pending)
    heads = [Signer(f"head{n}", Authority.HEAD_OF_COLLECTIONS) for n in range(4)]
    start = Barrier(len(heads))

    def decide(checker: Signer) -> str:
        start.wait()
        try:
            command = approvals.Approve(pending.approval.approval_id)
            approvals.approve(SqlArrangementsUnitOfWork(engine), portfolio, command, checker=checker, now=NOW)
        except approvals.ApprovalConflict:
            return "conflict"
        return "approved"

    with ThreadPoolExecutor(len(heads)) as pool:
        outcomes = sorted(pool.map(decide, heads))
    assert outcomes == ["approved", "conflict", "conflict", "conflict"]
    assert _count(engine, settlements) == 1
    with engine.connect() as connection:
        assert [e.action for e in read_audit(connection)].count("approval.approved") == 1
