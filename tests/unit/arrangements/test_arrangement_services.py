from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.memory_arrangements import MemoryArrangementsUnitOfWork
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import Role
from arrears.domain.arrangements.counselling import (
    CounsellingDirectory,
    CounsellingOrganisation,
    Referral,
    ReferralOutcome,
)
from arrears.domain.arrangements.effects import (
    InstallmentPaid,
    InstallmentUnpaid,
    PromiseKept,
    SettlementCompleted,
)
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.payments import (
    AccountCured,
    AccountDelinquentAgain,
    AccountLedger,
    Balances,
)
from arrears.domain.arrangements.plans import PlanBasis, PlanStatus, SignedAgreement
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.services import arrangements as svc

from .builders import paid

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SH)
AGREEMENT = SignedAgreement("debtor", NOW, "DOC-1", "cd" * 32)


def _uow(past_due: str = "1200.00") -> MemoryArrangementsUnitOfWork:
    uow = MemoryArrangementsUnitOfWork()
    opening = Balances.opening(
        Money.of("0.00"),
        Money.of("0.00"),
        Money.of("12000.00"),
        Money.of(past_due),
        date(2026, 1, 15),
    )
    svc.open_ledger(uow, AccountLedger("A1", opening), actor="ingest", now=NOW)
    return uow


def _terms(months: int = 12, plan_id: str = "PL1") -> svc.PlanTerms:
    return svc.PlanTerms(
        plan_id, "A1", PlanBasis.PAST_DUE, Money.of("1200.00"), months, date(2026, 3, 15)
    )


def test_agreeing_a_plan_stores_it_active_and_audits_it() -> None:
    uow = _uow()
    plan = svc.agree_plan(uow, _terms(), AGREEMENT, actor="agent-7", role=Role.COLLECTOR, now=NOW)
    assert uow.plans.get("PL1").status is PlanStatus.ACTIVE == plan.status
    assert uow.audit.entries[-1].action == "plan.agreed"
    assert "DOC-1" in uow.audit.entries[-1].after


def test_a_collector_cannot_agree_24_months_and_nothing_is_stored() -> None:
    uow = _uow()
    with pytest.raises(svc.ArrangementRefused) as refused:
        svc.agree_plan(uow, _terms(24), AGREEMENT, actor="agent-7", role=Role.COLLECTOR, now=NOW)
    assert refused.value.decision.rule_id == "ARR-APPROVAL-01"
    assert refused.value.decision.reason_zh
    assert uow.plans.get("PL1") is None and len(uow.audit.entries) == 1


def test_an_unaffordable_plan_is_refused_with_the_reason() -> None:
    budget = Budget(Money.of("3000.00"), Money.of("2900.00"))
    with pytest.raises(svc.ArrangementRefused, match="ARR-AFFORD-01"):
        svc.agree_plan(
            _uow(), _terms(), AGREEMENT, actor="a", role=Role.COLLECTOR, now=NOW, budget=budget
        )


def test_a_second_active_plan_on_the_account_is_refused_and_rolled_back() -> None:
    uow = _uow()
    svc.agree_plan(uow, _terms(), AGREEMENT, actor="a", role=Role.COLLECTOR, now=NOW)
    with pytest.raises(svc.ArrangementRefused, match="ARR-PLAN-01"):
        svc.agree_plan(
            uow, _terms(plan_id="PL2"), AGREEMENT, actor="a", role=Role.COLLECTOR, now=NOW
        )
    assert uow.plans.get("PL2") is None


def test_a_payment_pays_the_installment_keeps_the_promise_and_cures_the_account() -> None:
    uow = _uow(past_due="100.00")
    svc.agree_plan(uow, _terms(), AGREEMENT, actor="a", role=Role.COLLECTOR, now=NOW)
    promise = PromiseToPay.taken(
        promise_id="PTP1",
        account_id="A1",
        amount=Money.of("100.00"),
        promised_date=date(2026, 3, 15),
        channel=Channel.CALL,
        taken_by="a",
        made_at=NOW,
    )
    svc.record_promise(uow, promise, actor="a", now=NOW)
    payment = paid("P1", "100.00", date(2026, 3, 14))
    outcome = svc.post_payment(uow, payment, actor="bank-feed", now=NOW + timedelta(days=13))
    kinds = {type(e) for e in (*outcome.ledger_events, *outcome.effects)}
    assert {AccountCured, PromiseKept, InstallmentPaid} <= kinds
    assert uow.audit.entries[-1].action == "payment.posted"


def test_posting_the_same_payment_twice_changes_nothing_and_audits_once() -> None:
    uow = _uow()
    payment = paid("P1", "50.00", date(2026, 3, 2))
    svc.post_payment(uow, payment, actor="feed", now=NOW)
    entries = len(uow.audit.entries)
    again = svc.post_payment(uow, payment, actor="feed", now=NOW)
    assert not again.changed and len(uow.audit.entries) == entries


def test_reversing_the_payment_unpays_the_installment_and_the_cure() -> None:
    uow = _uow(past_due="100.00")
    svc.agree_plan(uow, _terms(), AGREEMENT, actor="a", role=Role.COLLECTOR, now=NOW)
    svc.post_payment(uow, paid("P1", "100.00", date(2026, 3, 14)), actor="feed", now=NOW)
    outcome = svc.reverse_payment(
        uow, "A1", "P1", reason="returned", actor="feed", now=datetime(2026, 3, 16, 9, 0, tzinfo=SH)
    )
    kinds = {type(e) for e in (*outcome.ledger_events, *outcome.effects)}
    assert {AccountDelinquentAgain, InstallmentUnpaid} <= kinds
    assert uow.ledgers.get("A1").balances().past_due.amount == Decimal("100.00")


def test_a_settlement_paid_in_full_is_completed_and_stored() -> None:
    uow = _uow()
    terms = svc.SettlementTerms(
        "S1", "A1", Money.of("12000.00"), Decimal("0.10"), date(2026, 3, 20)
    )
    svc.offer_settlement(uow, terms, actor="a", now=NOW)
    svc.accept_settlement(uow, "S1", actor="debtor", now=NOW)
    outcome = svc.post_payment(
        uow, paid("P1", "10800.00", date(2026, 3, 19)), actor="feed", now=NOW
    )
    assert any(isinstance(e, SettlementCompleted) for e in outcome.effects)
    assert uow.settlements.get("S1").status is SettlementStatus.COMPLETED


def test_a_40_percent_settlement_needs_a_senior_approver() -> None:
    terms = svc.SettlementTerms(
        "S1", "A1", Money.of("12000.00"), Decimal("0.40"), date(2026, 3, 20)
    )
    with pytest.raises(svc.ArrangementRefused):
        svc.offer_settlement(_uow(), terms, actor="a", now=NOW, approver_role=Role.TEAM_LEAD)
    offer = svc.offer_settlement(
        _uow(), terms, actor="a", now=NOW, approved_by="mgr", approver_role=Role.STRATEGY_MANAGER
    )
    assert offer.amount.amount == Decimal("7200.00")


def test_a_third_extension_in_a_year_is_refused() -> None:
    uow = _uow()
    for n, day in enumerate([date(2025, 9, 1), date(2026, 1, 1)]):
        svc.request_extension(
            uow,
            Extension(f"E{n}", "A1", "statement", day, day + timedelta(days=10), day, "a", NOW),
            role=Role.COLLECTOR,
            now=NOW,
        )
    with pytest.raises(svc.ArrangementRefused, match="ARR-EXT-02"):
        svc.request_extension(
            uow,
            Extension(
                "E3",
                "A1",
                "statement",
                date(2026, 3, 1),
                date(2026, 3, 5),
                date(2026, 3, 1),
                "a",
                NOW,
            ),
            role=Role.COLLECTOR,
            now=NOW,
        )


def test_hardship_enrolment_and_a_counselling_referral_are_recorded_and_audited() -> None:
    uow = _uow()
    svc.enrol_hardship(
        uow,
        HardshipProgramme(
            "H1",
            "A1",
            HardshipKind.INTEREST_FREEZE,
            date(2026, 3, 1),
            date(2026, 8, 31),
            date(2026, 5, 1),
            "a",
            NOW,
            "job loss",
        ),
        now=NOW,
    )
    directory = CounsellingDirectory(
        (CounsellingOrganisation("ORG", "示例机构", "Example org", "CN", "debt_advice"),)
    )
    svc.refer_to_counselling(
        uow, Referral("R1", "A1", "ORG", "a", NOW, consent=True), directory, now=NOW
    )
    svc.record_referral_outcome(uow, "R1", ReferralOutcome.CONTACTED, actor="a", now=NOW)
    assert uow.referrals.get("R1").outcome is ReferralOutcome.CONTACTED
    actions = [e.action for e in uow.audit.entries]
    assert actions[-3:] == ["hardship.enrolled", "counselling.referred", "counselling.outcome"]
    with pytest.raises(svc.ArrangementRefused, match="consent"):
        svc.refer_to_counselling(
            uow, Referral("R2", "A1", "ORG", "a", NOW, consent=False), directory, now=NOW
        )


def test_vetting_a_promise_refuses_what_recording_it_would_refuse_and_stores_nothing() -> None:
    uow = MemoryArrangementsUnitOfWork()
    promise = PromiseToPay(
        "PTP9", "A1", Money.of("100.00"), date(2026, 4, 15), Channel.CALL, "a", NOW, date(2026, 3, 1)
    )  # 45 days ahead: the policy allows 30
    with pytest.raises(svc.ArrangementRefused) as vetted:
        svc.vet_promise(promise)
    with pytest.raises(svc.ArrangementRefused) as recorded:
        svc.record_promise(uow, promise, actor="a", now=NOW)
    assert vetted.value.decision == recorded.value.decision
    assert vetted.value.decision.field == "promised_date"
    assert uow.promises.for_account("A1") == () and uow.audit.entries == []
