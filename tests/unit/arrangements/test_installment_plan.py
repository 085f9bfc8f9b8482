from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.arrangements.decisions import TransitionError
from arrears.domain.arrangements.plans import (
    PLAN_TRANSITIONS,
    InstallmentPlan,
    InstallmentStatus,
    PlanBasis,
    PlanError,
    PlanPolicy,
    PlanStatus,
    SignedAgreement,
    activate,
    cancel,
    collection_held,
    derived_status,
    installment_progress,
    review,
)
from arrears.domain.arrangements.schedule import quote_schedule
from arrears.domain.money import Money

from .builders import paid

SH = ZoneInfo("Asia/Shanghai")
FIRST_DUE = date(2026, 1, 31)
AGREED = date(2026, 1, 20)
SIGNED = SignedAgreement("debtor", datetime(2026, 1, 20, 15, 0, tzinfo=SH), "DOC-1", "ab" * 32)


def plan(months: int = 4, amount: str = "400.00") -> InstallmentPlan:
    schedule = quote_schedule(Money.of(amount), months, FIRST_DUE)
    return InstallmentPlan(
        "PL1", "A1", PlanBasis.PAST_DUE, schedule, "agent-7", datetime(2026, 1, 19, 9, 0, tzinfo=SH)
    )


def active(months: int = 4) -> InstallmentPlan:
    return activate(plan(months), SIGNED, AGREED)


def test_a_plan_becomes_active_only_with_its_signed_agreement_recorded() -> None:
    p = active()
    assert p.status is PlanStatus.ACTIVE
    assert p.agreement is not None and p.agreement.document_ref == "DOC-1"


def test_an_agreement_needs_a_sha256_of_the_document() -> None:
    with pytest.raises(PlanError, match="64 hexadecimal"):
        SignedAgreement("debtor", datetime(2026, 1, 20, tzinfo=SH), "DOC-1", "abc")


def test_a_completed_plan_cannot_be_reopened() -> None:
    done = active().moved_to(PlanStatus.COMPLETED, date(2026, 5, 1))
    with pytest.raises(TransitionError, match="completed -> active"):
        done.moved_to(PlanStatus.ACTIVE, date(2026, 5, 2))


def test_a_proposed_plan_can_be_cancelled_but_not_broken() -> None:
    assert cancel(plan(), AGREED).status is PlanStatus.CANCELLED
    with pytest.raises(TransitionError):
        plan().moved_to(PlanStatus.BROKEN, AGREED)


def test_paying_every_installment_on_time_completes_the_plan() -> None:
    p = active()
    payments = [
        paid(f"P{i}", "100.00", row.due_date) for i, row in enumerate(p.schedule.installments)
    ]
    assert derived_status(p, payments, date(2026, 4, 30)) is PlanStatus.COMPLETED
    assert review(p, payments, date(2026, 4, 30)).status is PlanStatus.COMPLETED


def test_one_missed_installment_is_not_yet_a_broken_plan() -> None:
    p = active()
    as_of = FIRST_DUE + timedelta(days=6)
    progress = installment_progress(p, [], as_of)
    assert progress[0].status is InstallmentStatus.MISSED
    assert derived_status(p, [], as_of) is PlanStatus.ACTIVE


def test_two_missed_installments_beyond_the_grace_days_break_the_plan() -> None:
    p = active()
    second_due = p.schedule.installments[1].due_date  # 2026-02-28
    assert derived_status(p, [], second_due + timedelta(days=5)) is PlanStatus.ACTIVE
    assert derived_status(p, [], second_due + timedelta(days=6)) is PlanStatus.BROKEN
    assert not collection_held(p, [], second_due + timedelta(days=6)).allowed


def test_collection_is_held_while_the_plan_is_active_and_honoured() -> None:
    decision = collection_held(active(), [], FIRST_DUE)
    assert decision.allowed and decision.rule_id == "CN-PLAN-01"
    assert not collection_held(plan(), [], FIRST_DUE).allowed  # only proposed


def test_a_late_catch_up_payment_within_grace_keeps_the_plan_active() -> None:
    p = active()
    payments = [paid("P1", "200.00", date(2026, 3, 3))]  # pays 1 and 2 inside grace of 2
    assert derived_status(p, payments, date(2026, 3, 10)) is PlanStatus.ACTIVE


def test_a_plan_cannot_be_activated_after_its_first_due_date() -> None:
    with pytest.raises(PlanError, match="already due"):
        activate(plan(), SIGNED, FIRST_DUE + timedelta(days=1))


@settings(max_examples=150)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 300)), max_size=8))
def test_day_by_day_plan_status_follows_the_transition_table(raw) -> None:
    """Review the plan every day against a payment sequence: each change is allowed, and
    a completed or broken plan stays so."""
    current = active(6)
    payments = [
        paid(f"P{i}", f"{amount}.00", AGREED + timedelta(days=offset))
        for i, (offset, amount) in enumerate(raw)
    ]
    for offset in range(0, 220):
        day = AGREED + timedelta(days=offset)
        live = [p for p in payments if p.paid_on <= day]
        nxt = review(current, live, day, PlanPolicy())
        if nxt.status is not current.status:
            assert nxt.status in PLAN_TRANSITIONS[current.status]
        current = nxt
    assert current.status in (PlanStatus.COMPLETED, PlanStatus.BROKEN)


def test_a_plan_whose_last_installment_is_missed_is_broken() -> None:
    p = active(2)
    payments = [paid("P1", "200.00", FIRST_DUE), paid("P2", "199.00", date(2026, 2, 27))]
    assert derived_status(p, payments, date(2026, 3, 5)) is PlanStatus.ACTIVE
    assert derived_status(p, payments, date(2026, 3, 6)) is PlanStatus.BROKEN
