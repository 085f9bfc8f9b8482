from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.memory_arrangements import MemoryArrangementsUnitOfWork, MemoryPortfolio
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import Authority
from arrears.domain.arrangements.counselling import (
    CounsellingDirectory,
    CounsellingOrganisation,
    ReferralOutcome,
)
from arrears.domain.arrangements.effects import (
    InstallmentPaid,
    InstallmentUnpaid,
    PromiseKept,
    SettlementCompleted,
)
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.payments import (
    AccountCured,
    AccountDelinquentAgain,
    AccountLedger,
    Balances,
    IngestedAccount,
)
from arrears.domain.arrangements.plans import PlanBasis, PlanStatus
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.services import arrangements as svc
from arrears.services.arrangements.counselling import (
    RecordReferralOutcome,
    ReferToCounselling,
    record_referral_outcome,
    refer_to_counselling,
)
from arrears.services.arrangements.extensions import GrantExtension, grant_extension
from arrears.services.arrangements.hardship import EnrolHardship, enrol_hardship
from arrears.services.arrangements.payments import (
    PostPayment,
    ReversePayment,
    open_ledger,
    post_payment,
    reverse_payment,
)
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.arrangements.settlements import (
    AcceptSettlement,
    OfferSettlement,
    accept_settlement,
    offer_settlement,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SH)
NO_PORTFOLIO = MemoryPortfolio()  # the ledger is opened by each test
A1_OWES = MemoryPortfolio(accounts={"A1": IngestedAccount("A1", "C1", "CNY", Money.of("12000.00"), None, None, None,
                                                          Money.of("1200.00"), date(2026, 1, 15), "Asia/Shanghai")})
AGENT = svc.Signer("agent-7", Authority.COLLECTOR)


def at(day: date, hour: int = 20) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def _uow(past_due: str = "1200.00", principal: str = "12000.00") -> MemoryArrangementsUnitOfWork:
    uow = MemoryArrangementsUnitOfWork()
    opening = Balances.opening(
        Money.of("0.00"),
        Money.of("0.00"),
        Money.of(principal),
        Money.of(past_due),
        date(2026, 1, 15),
    )
    open_ledger(uow, AccountLedger("A1", opening), actor="ingest", now=NOW)
    return uow


def _plan(months: int = 12, plan_id: str = "PL1", **kw: object) -> AgreePlan:
    return AgreePlan(plan_id, "A1", months, date(2026, 3, 15), agreement_ref="DOC-1", agreement_sha256="cd" * 32,
                     **kw)  # type: ignore[arg-type]


def _agree(uow: MemoryArrangementsUnitOfWork, command: AgreePlan | None = None) -> object:
    return agree_plan(uow, NO_PORTFOLIO, command or _plan(), maker=AGENT.username, approver=AGENT, now=NOW)


def _pay(uow: MemoryArrangementsUnitOfWork, payment_id: str, amount: str, day: date, **kw: object) -> object:
    """A payment at noon Beijing time on ``day``, posted that evening."""
    command = PostPayment("A1", payment_id, Money.of(amount), at(day, 12))
    return post_payment(uow, NO_PORTFOLIO, command, actor="bank-feed", now=kw.pop("now", at(day)))  # type: ignore[arg-type]


def test_agreeing_a_plan_stores_it_active_and_audits_it() -> None:
    uow = _uow()
    plan = _agree(uow)
    assert uow.plans.get("PL1").status is PlanStatus.ACTIVE == plan.status  # type: ignore[attr-defined]
    assert uow.audit.entries[-1].action == "plan.agreed"
    assert "DOC-1" in uow.audit.entries[-1].after


def test_a_collector_cannot_agree_24_months_and_nothing_is_stored() -> None:
    uow = _uow()
    with pytest.raises(svc.ArrangementRefused) as refused:
        _agree(uow, _plan(24))
    assert refused.value.decision.rule_id == "ARR-APPROVAL-01"
    assert refused.value.decision.reason_zh
    assert uow.plans.get("PL1") is None and len(uow.audit.entries) == 1


def test_an_unaffordable_plan_is_refused_with_the_reason() -> None:
    budget = Budget(Money.of("3000.00"), Money.of("2900.00"))
    with pytest.raises(svc.ArrangementRefused, match="ARR-AFFORD-01"):
        _agree(_uow(), _plan(budget=budget))


def test_a_second_active_plan_on_the_account_is_refused_and_rolled_back() -> None:
    uow = _uow()
    _agree(uow)
    with pytest.raises(svc.ArrangementRefused, match="ARR-PLAN-01"):
        _agree(uow, _plan(plan_id="PL2"))
    assert uow.plans.get("PL2") is None


def test_a_payment_pays_the_installment_keeps_the_promise_and_cures_the_account() -> None:
    uow = _uow(past_due="100.00", principal="1200.00")
    _agree(uow, _plan(basis=PlanBasis.FULL_BALANCE))  # 100.00 a month
    promise = PromiseToPay.taken(
        promise_id="PTP1",
        account_id="A1",
        amount=Money.of("100.00"),
        promised_date=date(2026, 3, 15),
        channel=Channel.CALL,
        taken_by="a",
        made_at=NOW,
    )
    svc.record_promise(uow, A1_OWES, promise, actor="a", now=NOW)
    outcome = _pay(uow, "P1", "100.00", date(2026, 3, 14))
    kinds = {type(e) for e in (*outcome.ledger_events, *outcome.effects)}  # type: ignore[attr-defined]
    assert {AccountCured, PromiseKept, InstallmentPaid} <= kinds
    assert uow.audit.entries[-1].action == "payment.posted"


def test_posting_the_same_payment_twice_changes_nothing_and_audits_once() -> None:
    uow = _uow()
    _pay(uow, "P1", "50.00", date(2026, 3, 2))
    entries = len(uow.audit.entries)
    again = _pay(uow, "P1", "50.00", date(2026, 3, 2))
    assert not again.changed and len(uow.audit.entries) == entries  # type: ignore[attr-defined]


def test_reversing_the_payment_unpays_the_installment_and_the_cure() -> None:
    uow = _uow(past_due="100.00", principal="1200.00")
    _agree(uow, _plan(basis=PlanBasis.FULL_BALANCE))  # 100.00 a month
    _pay(uow, "P1", "100.00", date(2026, 3, 14))
    outcome = reverse_payment(uow, ReversePayment("P1", "returned"), actor="feed", now=at(date(2026, 3, 16), 9))
    kinds = {type(e) for e in (*outcome.ledger_events, *outcome.effects)}
    assert {AccountDelinquentAgain, InstallmentUnpaid} <= kinds
    assert uow.ledgers.get("A1").balances().past_due.amount == Decimal("100.00")


def test_a_settlement_paid_in_full_is_completed_and_stored() -> None:
    uow = _uow()
    offer = OfferSettlement("S1", "A1", Decimal("0.10"), date(2026, 3, 20))
    offer_settlement(uow, NO_PORTFOLIO, offer, maker="a", approver=svc.Signer("a", Authority.COLLECTOR), now=NOW)
    accept_settlement(uow, AcceptSettlement("S1"), actor="debtor", now=NOW)
    outcome = _pay(uow, "P1", "10800.00", date(2026, 3, 19))
    assert any(isinstance(e, SettlementCompleted) for e in outcome.effects)  # type: ignore[attr-defined]
    assert uow.settlements.get("S1").status is SettlementStatus.COMPLETED


def test_a_40_percent_settlement_needs_a_senior_approver() -> None:
    terms = OfferSettlement("S1", "A1", Decimal("0.40"), date(2026, 3, 20))
    with pytest.raises(svc.ArrangementRefused):
        offer_settlement(_uow(), NO_PORTFOLIO, terms, maker="a", approver=svc.Signer("lead", Authority.TEAM_LEAD),
                         now=NOW)
    offer = offer_settlement(_uow(), NO_PORTFOLIO, terms, maker="a",
                             approver=svc.Signer("mgr", Authority.STRATEGY_MANAGER), now=NOW)
    assert offer.amount.amount == Decimal("7200.00")


def test_a_third_extension_in_a_year_is_refused() -> None:
    uow = _uow()
    for n, day in enumerate([date(2025, 9, 1), date(2026, 1, 1)]):
        extension = GrantExtension(f"E{n}", "A1", "statement", day, day + timedelta(days=10))
        grant_extension(uow, extension, approver=AGENT, now=at(day, 10))
    with pytest.raises(svc.ArrangementRefused, match="ARR-EXT-02"):
        third = GrantExtension("E3", "A1", "statement", date(2026, 3, 1), date(2026, 3, 5))
        grant_extension(uow, third, approver=AGENT, now=NOW)


def test_hardship_enrolment_and_a_counselling_referral_are_recorded_and_audited() -> None:
    uow = _uow()
    programme = EnrolHardship("H1", "A1", HardshipKind.INTEREST_FREEZE, date(2026, 3, 1), date(2026, 8, 31),
                              date(2026, 5, 1), "job loss")
    enrolled = enrol_hardship(uow, programme, actor="a", now=NOW)
    assert (enrolled.enrolled_by, enrolled.enrolled_at, enrolled.reason) == ("a", NOW, "job loss")
    directory = CounsellingDirectory(
        (CounsellingOrganisation("ORG", "示例机构", "Example org", "CN", "debt_advice"),)
    )
    refer_to_counselling(uow, ReferToCounselling("R1", "A1", "ORG", consent=True), directory, actor="a", now=NOW)
    record_referral_outcome(uow, RecordReferralOutcome("R1", ReferralOutcome.CONTACTED), actor="a", now=NOW)
    assert uow.referrals.get("R1").outcome is ReferralOutcome.CONTACTED
    actions = [e.action for e in uow.audit.entries]
    assert actions[-3:] == ["hardship.enrolled", "counselling.referred", "counselling.outcome"]
    with pytest.raises(svc.ArrangementRefused, match="consent"):
        refer_to_counselling(uow, ReferToCounselling("R2", "A1", "ORG", consent=False), directory, actor="a", now=NOW)


def test_every_arrangement_audit_entry_names_its_account() -> None:
    uow = _uow(past_due="100.00")
    _agree(uow)
    svc.record_promise(uow, A1_OWES, PromiseToPay("PTP1", "A1", Money.of("100.00"), date(2026, 3, 15), Channel.CALL,
                                                  "a", NOW, date(2026, 3, 1)), actor="a", now=NOW)
    _pay(uow, "P1", "100.00", date(2026, 3, 14))
    reverse_payment(uow, ReversePayment("P1"), actor="feed", now=at(date(2026, 3, 16)))
    offer_settlement(uow, NO_PORTFOLIO, OfferSettlement("S1", "A1", Decimal("0.05"), date(2026, 3, 20)), maker="a",
                     approver=AGENT, now=NOW)
    accept_settlement(uow, AcceptSettlement("S1"), actor="debtor", now=NOW)
    enrol_hardship(uow, EnrolHardship("H1", "A1", HardshipKind.PAUSE, date(2026, 3, 1), date(2026, 3, 31),
                                      date(2026, 3, 15)), actor="a", now=NOW)
    actions = {e.action for e in uow.audit.entries}
    assert {"ledger.opened", "plan.agreed", "promise.recorded", "payment.posted", "payment.reversed",
            "settlement.offered", "settlement.accepted", "hardship.enrolled"} <= actions
    assert [e.detail["account_id"] for e in uow.audit.entries] == ["A1"] * len(uow.audit.entries)


def test_vetting_a_promise_refuses_what_recording_it_would_refuse_and_stores_nothing() -> None:
    uow = MemoryArrangementsUnitOfWork()
    promise = PromiseToPay(
        "PTP9", "A1", Money.of("100.00"), date(2026, 4, 15), Channel.CALL, "a", NOW, date(2026, 3, 1)
    )  # 45 days ahead: the policy allows 30
    with pytest.raises(svc.ArrangementRefused) as vetted:
        svc.vet_promise(promise)
    with pytest.raises(svc.ArrangementRefused) as recorded:
        svc.record_promise(uow, A1_OWES, promise, actor="a", now=NOW)
    assert vetted.value.decision == recorded.value.decision
    assert vetted.value.decision.field == "promised_date"
    assert uow.promises.for_account("A1") == () and uow.audit.entries == []


def test_a_promise_above_the_balance_or_beside_an_open_promise_is_refused_and_nothing_is_stored() -> None:
    uow = MemoryArrangementsUnitOfWork()

    def promise(promise_id: str, amount: str) -> PromiseToPay:
        return PromiseToPay(promise_id, "A1", Money.of(amount), date(2026, 3, 15), Channel.CALL, "a", NOW,
                            date(2026, 3, 1))

    with pytest.raises(svc.ArrangementRefused) as too_much:
        svc.record_promise(uow, A1_OWES, promise("PTP1", "99999999.00"), actor="a", now=NOW)
    assert too_much.value.decision.rule_id == "ARR-PTP-02" and too_much.value.decision.field == "amount"
    assert uow.promises.for_account("A1") == ()
    svc.record_promise(uow, A1_OWES, promise("PTP2", "12000.00"), actor="a", now=NOW)  # the whole balance is fine
    with pytest.raises(svc.ArrangementRefused) as second:
        svc.record_promise(uow, A1_OWES, promise("PTP3", "100.00"), actor="a", now=NOW)
    assert second.value.decision.rule_id == "ARR-PTP-03" and "2026-03-15" in second.value.decision.reason_en
    assert [p.promise_id for p in uow.promises.for_account("A1")] == ["PTP2"]
    svc.record_promise(uow, A1_OWES, promise("PTP2", "12000.00"), actor="a", now=NOW)  # the same again: nothing new
