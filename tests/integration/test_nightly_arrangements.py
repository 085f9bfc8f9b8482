"""The nightly run reviews arrangements on its date (SQLite and PostgreSQL): a plan with
missed installments becomes broken, a settlement not paid in time fails, payments from the
ingested portfolio count, and a second run on the same date changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork, read_audit
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.bootstrap import nightly_ports
from arrears.domain.aging import DEFAULT_LADDER
from arrears.domain.arrangements.approvals import Authority
from arrears.domain.arrangements.plans import PlanStatus
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.arrangements.review import NIGHTLY_ACTOR, review_arrangements_on
from arrears.services.arrangements.settlements import (
    AcceptSettlement,
    OfferSettlement,
    accept_settlement,
    offer_settlement,
)
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.scoring_run import scorecard_fallback
from ingested_rows import ingest_account, ingest_payment

SH = ZoneInfo("Asia/Shanghai")
AGREED = datetime(2026, 12, 1, 10, 0, tzinfo=SH)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=SH)


@pytest.fixture
def wired(engine: Engine) -> tuple[Engine, SqlPortfolioReader]:
    portfolio = SqlPortfolioReader(engine)
    ingest_account(engine, "A1")  # 1200.00 past due: a 12-month plan of 100.00 from 15 Dec
    ingest_account(engine, "A2")
    u1 = Signer("u1", Authority.COLLECTOR)
    agree_plan(SqlArrangementsUnitOfWork(engine), portfolio, AgreePlan("PL1", "A1", 12, date(2026, 12, 15)),
               maker="u1", approver=u1, now=AGREED)
    offer_settlement(SqlArrangementsUnitOfWork(engine), portfolio,
                     OfferSettlement("S1", "A2", Decimal("0.05"), date(2026, 12, 20)), maker="u1", approver=u1,
                     now=AGREED)
    accept_settlement(SqlArrangementsUnitOfWork(engine), AcceptSettlement("S1"), actor="u1", now=AGREED)
    return engine, portfolio


def _review(engine: Engine, portfolio: SqlPortfolioReader, on: date):  # type: ignore[no-untyped-def]
    return review_arrangements_on(lambda: SqlArrangementsUnitOfWork(engine), portfolio, on,
                                  now=datetime(on.year, on.month, on.day, 23, tzinfo=SH))


def _status(engine: Engine) -> tuple[PlanStatus, SettlementStatus]:
    with SqlArrangementsUnitOfWork(engine) as uow:
        return uow.plans.get("PL1").status, uow.settlements.get("S1").status


def test_nothing_changes_while_the_installments_and_the_settlement_are_not_yet_late(wired) -> None:  # type: ignore[no-untyped-def]
    engine, portfolio = wired
    review = _review(engine, portfolio, date(2026, 12, 22))
    assert (review.accounts, review.changed, review.failures) == (2, 0, [])
    assert _status(engine) == (PlanStatus.ACTIVE, SettlementStatus.ACCEPTED)


def test_a_plan_with_two_missed_installments_is_broken_and_an_unpaid_settlement_failed_on_the_date(wired) -> None:  # type: ignore[no-untyped-def]
    engine, portfolio = wired
    review = _review(engine, portfolio, date(2027, 1, 21))
    assert (review.accounts, review.changed) == (2, 2)
    assert _status(engine) == (PlanStatus.BROKEN, SettlementStatus.FAILED)
    with engine.connect() as connection:
        broken = read_audit(connection, subject="plan:PL1", action="plan.broken")
        failed = read_audit(connection, subject="settlement:S1", action="settlement.failed")
    assert broken[0].actor == failed[0].actor == NIGHTLY_ACTOR
    assert broken[0].detail == {"account_id": "A1", "on": "2027-01-21"}
    again = _review(engine, portfolio, date(2027, 1, 21))
    assert (again.accounts, again.changed) == (0, 0)  # broken and failed are final: nothing left to review


def test_payments_from_the_ingested_portfolio_keep_the_plan_and_complete_the_settlement(wired) -> None:  # type: ignore[no-untyped-def]
    engine, portfolio = wired
    ingest_payment(engine, "Y1", "A1", at=_at(date(2026, 12, 14)), cents=10_000)
    ingest_payment(engine, "Y2", "A1", at=_at(date(2027, 1, 14)), cents=10_000)
    ingest_payment(engine, "Y3", "A2", at=_at(date(2026, 12, 19)), cents=1_200_000)
    review = _review(engine, portfolio, date(2027, 1, 21))
    assert _status(engine) == (PlanStatus.ACTIVE, SettlementStatus.COMPLETED)
    assert review.changed == 1


def test_a_payment_after_the_date_does_not_save_the_plan_on_that_date(wired) -> None:  # type: ignore[no-untyped-def]
    engine, portfolio = wired
    ingest_payment(engine, "Y1", "A1", at=_at(date(2027, 1, 25)), cents=120_000)
    _review(engine, portfolio, date(2027, 1, 21))
    assert _status(engine)[0] is PlanStatus.BROKEN


def test_the_nightly_job_reviews_the_arrangements_on_its_business_date(wired) -> None:  # type: ignore[no-untyped-def]
    engine, _ = wired
    report = run_nightly(nightly_ports(engine), RunNightly(date(2027, 1, 21), datetime(2027, 1, 21, 15, tzinfo=SH),
                                                           DEFAULT_LADDER, scorecard_fallback()))
    assert (report.arrangements.on, report.arrangements.changed) == (date(2027, 1, 21), 2)
    assert _status(engine) == (PlanStatus.BROKEN, SettlementStatus.FAILED)
