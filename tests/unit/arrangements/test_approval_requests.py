"""Maker–checker: the domain rule of who may decide what, the approval request's states, and the
approval use cases on the in-memory unit of work."""

from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.memory_arrangements import MemoryArrangementsUnitOfWork, MemoryPortfolio
from arrears.domain.access import Role
from arrears.domain.arrangements.approvals import (
    APPROVAL_TRANSITIONS,
    DEFAULT_LIMITS,
    Approval,
    ApprovalKind,
    ApprovalLimits,
    ApprovalRequest,
    ApprovalStatus,
    Authority,
    authority_of,
    may_decide,
    may_withdraw,
)
from arrears.domain.arrangements.decisions import TransitionError
from arrears.domain.arrangements.payments import IngestedAccount
from arrears.domain.arrangements.plans import PlanStatus
from arrears.domain.money import Money
from arrears.services.arrangements import approvals
from arrears.services.arrangements import common as svc
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.extensions import GrantExtension
from arrears.services.arrangements.plans import AgreePlan
from arrears.services.arrangements.settlements import OfferSettlement

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SH)
COLLECTOR = Signer("collector", Authority.COLLECTOR)
LEAD = Signer("lead", Authority.TEAM_LEAD)
HEAD = Signer("head", Authority.HEAD_OF_COLLECTIONS)


# --- the domain rule ----------------------------------------------------------------------
def test_each_workbench_role_carries_one_arrangements_authority() -> None:
    assert authority_of(Role.COLLECTOR) is Authority.COLLECTOR
    assert authority_of(Role.TEAM_LEAD) is Authority.TEAM_LEAD
    assert authority_of(Role.STRATEGY_MANAGER) is Authority.STRATEGY_MANAGER
    assert authority_of(Role.ADMIN) is Authority.HEAD_OF_COLLECTIONS
    assert authority_of(Role.COMPLIANCE_OFFICER) is None
    assert authority_of(Role.AUDITOR) is None


def test_the_maker_can_never_decide_their_own_request_whatever_their_authority() -> None:
    asks = ApprovalRequest(settlement_discount=Decimal("0.20"))
    own = may_decide("head", "head", Authority.HEAD_OF_COLLECTIONS, asks)
    assert (own.allowed, own.rule_id) == (False, "ARR-APPROVAL-03")
    assert may_decide("collector", "head", Authority.HEAD_OF_COLLECTIONS, asks).allowed


def test_a_checker_decides_only_within_their_own_limits() -> None:
    sixty = ApprovalRequest(settlement_discount=Decimal("0.60"))
    lead = may_decide("collector", "lead", Authority.TEAM_LEAD, sixty)
    assert (lead.allowed, lead.rule_id) == (False, "ARR-APPROVAL-01")
    assert "limit 30%" in lead.reason_en
    assert not may_decide("collector", "officer", None, sixty).allowed  # no authority at all
    assert may_decide("collector", "head", Authority.HEAD_OF_COLLECTIONS, sixty).allowed


def _approval(status: ApprovalStatus = ApprovalStatus.PENDING) -> Approval:
    return Approval("AP-1", ApprovalKind.SETTLEMENT, "A1", {"discount": "0.60"}, "collector",
                    Authority.HEAD_OF_COLLECTIONS, NOW, status)


def test_a_request_leaves_pending_once_to_approved_rejected_or_withdrawn() -> None:
    assert APPROVAL_TRANSITIONS[ApprovalStatus.PENDING] == {
        ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN}
    rejected = _approval().decided(ApprovalStatus.REJECTED, "head", NOW, "no evidence")
    assert (rejected.status, rejected.decided_by, rejected.decided_at, rejected.reason) == (
        ApprovalStatus.REJECTED, "head", NOW, "no evidence")
    for final in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN):
        for target in ApprovalStatus:
            with pytest.raises(TransitionError):
                _approval(final).decided(target, "head", NOW)


def test_only_the_maker_may_withdraw_their_request() -> None:
    assert may_withdraw(_approval(), "collector").allowed
    other = may_withdraw(_approval(), "head")
    assert (other.allowed, other.rule_id) == (False, "ARR-APPROVAL-04")


# --- the use cases on the in-memory unit of work --------------------------------------------
def _portfolio() -> MemoryPortfolio:
    """One ingested account A1 owing 12000.00, 1200.00 past due."""
    a1 = IngestedAccount("A1", "C1", "CNY", Money.of("12000.00"), None, None, None, Money.of("1200.00"),
                         date(2026, 10, 15), "Asia/Shanghai")
    return MemoryPortfolio({"A1": a1})


def _everyone(account_ids: Collection[str]) -> Collection[str]:
    return account_ids


def _settlement(discount: str, settlement_id: str = "S1") -> OfferSettlement:
    return OfferSettlement(settlement_id, "A1", Decimal(discount), date(2026, 12, 20))


def _plan(months: int, plan_id: str = "PL1") -> AgreePlan:
    return AgreePlan(plan_id, "A1", months, date(2026, 12, 15))


def test_a_request_within_the_makers_authority_is_booked_at_once() -> None:
    uow = MemoryArrangementsUnitOfWork()
    result = approvals.submit(uow, _portfolio(), _settlement("0.25"), maker=LEAD, now=NOW)
    assert isinstance(result, approvals.Booked)
    assert (result.arrangement.approved_by, uow.approvals.items) == ("lead", {})


def test_a_request_above_the_makers_authority_waits_unbooked_with_the_least_authority_that_may_give_it() -> None:
    uow = MemoryArrangementsUnitOfWork()
    result = approvals.submit(uow, _portfolio(), _plan(24), maker=COLLECTOR, now=NOW)
    assert isinstance(result, approvals.Pending)
    assert (result.approval.required_authority, result.approval.status) == (Authority.TEAM_LEAD, ApprovalStatus.PENDING)
    assert result.decision.rule_id == "ARR-APPROVAL-01"
    assert uow.plans.items == {} and uow.ledgers.items == {}
    assert [e.action for e in uow.audit.entries] == ["approval.requested"]
    assert uow.audit.entries[0].detail["account_id"] == "A1"


def test_a_request_another_rule_refuses_is_refused_not_left_pending() -> None:
    uow = MemoryArrangementsUnitOfWork()
    too_long = GrantExtension("EX1", "A1", "statement", date(2026, 12, 15), date(2027, 1, 30))  # 46 days
    with pytest.raises(svc.ArrangementRefused) as refused:
        approvals.submit(uow, _portfolio(), too_long, maker=COLLECTOR, now=NOW)
    assert refused.value.decision.rule_id == "ARR-EXT-01"
    assert uow.approvals.items == {} and uow.audit.entries == []


def test_a_request_no_authority_may_give_is_refused() -> None:
    capped = MappingProxyType({r: ApprovalLimits(12, Decimal("0"), Decimal("0.10"), 15) for r in DEFAULT_LIMITS})
    policies = svc.ArrangementPolicies(limits=capped)
    uow = MemoryArrangementsUnitOfWork()
    with pytest.raises(svc.ArrangementRefused) as refused:
        approvals.submit(uow, _portfolio(), _plan(24), maker=COLLECTOR, now=NOW, policies=policies)
    assert not isinstance(refused.value, svc.ApprovalNeeded)
    assert uow.approvals.items == {}


def test_approving_books_through_the_same_use_case_with_the_checker_as_approver() -> None:
    uow = MemoryArrangementsUnitOfWork()
    pending = approvals.submit(uow, _portfolio(), _plan(24), maker=COLLECTOR, now=NOW)
    assert isinstance(pending, approvals.Pending)
    later = NOW + timedelta(hours=2)
    decided = approvals.approve(uow, _portfolio(), approvals.Approve(pending.approval.approval_id, "ok"), checker=LEAD,
                                now=later)
    plan = decided.arrangement
    assert plan is not None and plan.status is PlanStatus.ACTIVE
    assert (plan.proposed_by, plan.approved_by, plan.schedule.months) == ("collector", "lead (team_lead)", 24)
    assert (decided.approval.status, decided.approval.decided_by, decided.approval.reason) == (
        ApprovalStatus.APPROVED, "lead", "ok")
    assert uow.approvals.get(pending.approval.approval_id).status is ApprovalStatus.APPROVED
    actions = [e.action for e in uow.audit.entries]
    assert actions == ["approval.requested", "plan.agreed", "ledger.opened", "approval.approved"]
    approved = uow.audit.entries[-1]
    assert (approved.actor, approved.detail["maker"], approved.detail["checker"]) == ("lead", "collector", "lead")


def test_an_approval_the_account_no_longer_allows_books_nothing_and_leaves_the_request_pending() -> None:
    uow = MemoryArrangementsUnitOfWork()
    pending = approvals.submit(uow, _portfolio(), _plan(24), maker=COLLECTOR, now=NOW)
    assert isinstance(pending, approvals.Pending)
    approvals.submit(uow, _portfolio(), _plan(12, "PL2"), maker=COLLECTOR, now=NOW)
    before = list(uow.audit.entries)
    with pytest.raises(svc.ArrangementRefused) as refused:
        approvals.approve(uow, _portfolio(), approvals.Approve(pending.approval.approval_id), checker=LEAD, now=NOW)
    assert refused.value.decision.rule_id == "ARR-PLAN-01"  # another plan became active meanwhile
    assert uow.approvals.get(pending.approval.approval_id).status is ApprovalStatus.PENDING
    assert list(uow.plans.items) == ["PL2"] and uow.audit.entries == before


def test_the_maker_or_a_checker_short_of_the_authority_cannot_approve_and_a_decided_request_conflicts() -> None:
    uow = MemoryArrangementsUnitOfWork()
    pending = approvals.submit(uow, _portfolio(), _settlement("0.60"), maker=COLLECTOR,
                               now=NOW)
    assert isinstance(pending, approvals.Pending)
    approval_id = pending.approval.approval_id
    for who in (COLLECTOR, LEAD, Signer("officer", None)):
        with pytest.raises(approvals.ApprovalForbidden):
            approvals.approve(uow, _portfolio(), approvals.Approve(approval_id), checker=who, now=NOW)
    approvals.reject(uow, approvals.Reject(approval_id, "no evidence"), checker=HEAD, now=NOW)
    with pytest.raises(approvals.ApprovalConflict):
        approvals.approve(uow, _portfolio(), approvals.Approve(approval_id), checker=HEAD, now=NOW)
    with pytest.raises(approvals.ApprovalConflict):
        approvals.withdraw(uow, approvals.Withdraw(approval_id), maker=COLLECTOR, now=NOW)
    assert uow.settlements.items == {}
    with pytest.raises(svc.NotFound):
        approvals.approve(uow, _portfolio(), approvals.Approve("AP-NOPE"), checker=HEAD, now=NOW)


def test_the_maker_withdraws_their_own_request_and_nobody_else_can() -> None:
    uow = MemoryArrangementsUnitOfWork()
    pending = approvals.submit(uow, _portfolio(), _settlement("0.20"), maker=COLLECTOR,
                               now=NOW)
    assert isinstance(pending, approvals.Pending)
    with pytest.raises(approvals.ApprovalForbidden):
        approvals.withdraw(uow, approvals.Withdraw(pending.approval.approval_id), maker=LEAD, now=NOW)
    withdrawn = approvals.withdraw(uow, approvals.Withdraw(pending.approval.approval_id), maker=COLLECTOR, now=NOW)
    assert withdrawn.approval.status is ApprovalStatus.WITHDRAWN
    assert [e.action for e in uow.audit.entries][-1] == "approval.withdrawn"


def test_a_checker_lists_what_they_may_decide_on_accounts_they_see_newest_first() -> None:
    uow = MemoryArrangementsUnitOfWork()
    made = []
    for n, (discount, maker) in enumerate((("0.20", COLLECTOR), ("0.60", COLLECTOR), ("0.25", LEAD),
                                           ("0.15", COLLECTOR))):
        result = approvals.submit(uow, _portfolio(), _settlement(discount, f"S{n}"),
                                  maker=maker, now=NOW + timedelta(minutes=n))
        made.append(result.approval.approval_id if isinstance(result, approvals.Pending) else None)
    assert made[2] is None  # within the lead's own authority: booked
    lead_sees = approvals.decidable(uow, LEAD, visible=_everyone)
    assert [a.approval_id for a in lead_sees] == [made[3], made[0]]  # not the 60%
    assert [a.approval_id for a in approvals.decidable(uow, HEAD, visible=_everyone)] == [made[3], made[1], made[0]]
    assert approvals.decidable(uow, COLLECTOR, visible=_everyone) == ()  # their own, and beyond them
    assert approvals.decidable(uow, HEAD, visible=lambda _ids: set()) == ()
