"""Extensions, settlements, hardship, counselling, approvals and affordability."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from arrears.bootstrap import counselling_directory
from arrears.domain.arrangements.affordability import Budget, check_affordability
from arrears.domain.arrangements.approvals import (
    ApprovalRequest,
    Authority,
    check_authority,
    lowest_role_allowed,
)
from arrears.domain.arrangements.counselling import (
    DirectoryError,
    Referral,
    ReferralOutcome,
    directory_from_records,
)
from arrears.domain.arrangements.decisions import TransitionError
from arrears.domain.arrangements.extensions import Extension, review_extension
from arrears.domain.arrangements.hardship import (
    HardshipKind,
    HardshipProgramme,
    HardshipStatus,
    aging_pauses,
    check_programme,
    collection_paused,
    interest_frozen,
    programme_status,
)
from arrears.domain.arrangements.settlements import (
    SettlementError,
    SettlementStatus,
    check_offer,
    derived_status,
    offer_settlement,
)
from arrears.domain.money import Money

from .builders import paid

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SH)
TODAY = date(2026, 3, 1)


# --- extensions --------------------------------------------------------------------------
def _extension(on: date) -> Extension:
    return Extension("E", "A1", "statement", on, on + timedelta(days=10), on, "lead", NOW)


def test_an_extension_within_30_days_is_allowed() -> None:
    assert review_extension(TODAY, TODAY + timedelta(days=30), TODAY, []).allowed


def test_an_extension_of_31_days_is_refused_with_the_limit_named() -> None:
    decision = review_extension(TODAY, TODAY + timedelta(days=31), TODAY, [])
    assert not decision.allowed and "limit of 30" in decision.reason_en


def test_a_third_extension_within_a_year_is_refused() -> None:
    past = [_extension(date(2025, 6, 1)), _extension(date(2025, 12, 1))]
    assert not review_extension(TODAY, TODAY + timedelta(days=5), TODAY, past).allowed
    older = [_extension(date(2025, 2, 1)), _extension(date(2025, 12, 1))]
    assert review_extension(TODAY, TODAY + timedelta(days=5), TODAY, older).allowed


# --- settlements -------------------------------------------------------------------------
def _settlement(discount: str = "0.10", payments: int = 2, role: Authority | None = None):
    return offer_settlement(
        settlement_id="S1",
        account_id="A1",
        balance=Money.of("10000.00"),
        discount=Decimal(discount),
        first_due=date(2026, 3, 15),
        payments=payments,
        offered_by="agent-7",
        offered_at=NOW,
        approver_role=role,
    )


def test_a_settlement_splits_the_discounted_amount_exactly() -> None:
    s = _settlement("0.1234", payments=3, role=Authority.TEAM_LEAD)
    assert s.amount.amount == Decimal("8766.00")
    assert sum(p.amount.amount for p in s.payments) == s.amount.amount
    assert [p.due_date for p in s.payments] == [
        date(2026, 3, 15),
        date(2026, 4, 15),
        date(2026, 5, 15),
    ]


def test_a_discount_above_the_threshold_needs_an_approver_who_may_give_it() -> None:
    assert not check_offer(Decimal("0.25"), 1, None).allowed
    assert not check_offer(Decimal("0.35"), 1, Authority.TEAM_LEAD).allowed
    assert check_offer(Decimal("0.35"), 1, Authority.STRATEGY_MANAGER).allowed
    with pytest.raises(SettlementError, match="approval needed"):
        _settlement("0.25")


def test_a_settlement_is_completed_when_all_is_paid_by_the_dates() -> None:
    s = _settlement().moved_to(SettlementStatus.ACCEPTED, date(2026, 3, 2))
    payments = [paid("P1", "4500.00", date(2026, 3, 15)), paid("P2", "4500.00", date(2026, 4, 16))]
    assert derived_status(s, payments[:1], date(2026, 4, 10)) is SettlementStatus.ACCEPTED
    assert derived_status(s, payments, date(2026, 4, 16)) is SettlementStatus.COMPLETED


def test_a_settlement_fails_when_a_payment_date_passes_unpaid() -> None:
    s = _settlement().moved_to(SettlementStatus.ACCEPTED, date(2026, 3, 2))
    assert derived_status(s, [], date(2026, 3, 18)) is SettlementStatus.ACCEPTED  # grace
    assert derived_status(s, [], date(2026, 3, 19)) is SettlementStatus.FAILED


def test_a_withdrawn_settlement_cannot_be_accepted() -> None:
    withdrawn = _settlement().moved_to(SettlementStatus.WITHDRAWN, TODAY)
    with pytest.raises(TransitionError):
        withdrawn.moved_to(SettlementStatus.ACCEPTED, TODAY)


# --- hardship ----------------------------------------------------------------------------
def _programme(kind: HardshipKind, months_long: int = 3, token: str | None = None):
    end = TODAY + timedelta(days=30 * months_long)
    return HardshipProgramme(
        "H1",
        "A1",
        kind,
        TODAY,
        end,
        TODAY + timedelta(days=60),
        "agent-7",
        NOW,
        "job loss",
        Money.of(token) if token else None,
    )


def test_an_interest_freeze_freezes_interest_only_inside_its_dates() -> None:
    p = _programme(HardshipKind.INTEREST_FREEZE)
    assert check_programme(p).allowed
    assert interest_frozen([p], TODAY) and not interest_frozen([p], p.end + timedelta(days=1))
    assert not collection_paused([p], TODAY)


def test_a_pause_longer_than_92_days_is_refused() -> None:
    decision = check_programme(_programme(HardshipKind.PAUSE, months_long=4))
    assert not decision.allowed and "92" in decision.reason_en


def test_a_token_payment_programme_needs_its_amount() -> None:
    assert not check_programme(_programme(HardshipKind.TOKEN_PAYMENT)).allowed
    assert check_programme(_programme(HardshipKind.TOKEN_PAYMENT, token="50.00")).allowed


def test_a_pause_stops_the_aging_clock_and_is_due_for_review() -> None:
    p = _programme(HardshipKind.PAUSE, months_long=2)
    assert aging_pauses([p])[0].reason == "hardship_pause"
    assert programme_status(p, TODAY + timedelta(days=60)) is HardshipStatus.REVIEW_DUE
    assert programme_status(p, TODAY - timedelta(days=1)) is HardshipStatus.SCHEDULED


# --- counselling -------------------------------------------------------------------------
def test_the_shipped_directory_is_marked_as_an_example() -> None:
    directory = counselling_directory()
    assert directory.organisations and all(o.example for o in directory.organisations)
    assert directory.for_jurisdiction("US-NYC")[0].organisation_id == "US-NFCC"


def test_a_directory_entry_without_a_name_is_refused_with_its_position() -> None:
    with pytest.raises(DirectoryError, match="organisation 1: missing name_zh"):
        directory_from_records([{"organisation_id": "X"}])


def test_a_referral_outcome_moves_only_along_the_table() -> None:
    r = Referral("R1", "A1", "UK-STEPCHANGE", "agent-7", NOW, consent=True)
    contacted = r.with_outcome(ReferralOutcome.CONTACTED, TODAY)
    assert contacted.with_outcome(ReferralOutcome.PLAN_PROPOSED, TODAY).outcome_on == TODAY
    with pytest.raises(TransitionError):
        r.with_outcome(ReferralOutcome.PLAN_PROPOSED, TODAY)


# --- approvals and affordability ---------------------------------------------------------
def test_a_collector_may_agree_12_months_but_not_24() -> None:
    assert check_authority(Authority.COLLECTOR, ApprovalRequest(months=12)).allowed
    refused = check_authority(Authority.COLLECTOR, ApprovalRequest(months=24))
    assert not refused.allowed and "months 24" in refused.reason_en
    assert lowest_role_allowed(ApprovalRequest(months=24)) is Authority.TEAM_LEAD


def test_no_role_may_forgive_more_than_the_table_allows() -> None:
    assert lowest_role_allowed(ApprovalRequest(settlement_discount=Decimal("0.9"))) is None


def test_an_installment_within_half_of_disposable_income_is_affordable() -> None:
    budget = Budget(Money.of("8000.00"), Money.of("5000.00"))
    assert check_affordability(Money.of("1500.00"), budget).allowed
    refused = check_affordability(Money.of("1500.01"), budget)
    assert not refused.allowed and "1500.00" in refused.reason_en and refused.reason_zh


def test_no_disposable_income_suggests_hardship_help() -> None:
    decision = check_affordability(
        Money.of("1.00"), Budget(Money.of("3000.00"), Money.of("3000.00"))
    )
    assert not decision.allowed and "hardship" in decision.reason_en
