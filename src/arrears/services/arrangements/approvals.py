"""Maker–checker approvals of arrangements (审批).

``submit`` books a plan, settlement or extension when the maker's own authority covers it.
When every other rule allows it but the maker's authority does not (``ApprovalNeeded``), it is
neither refused nor booked: it becomes a pending approval request, audited. A second user
whose authority covers it (``approvals.may_decide``: never the maker) then ``approve``s it,
which books it through the same handler as a direct booking, with that user as the approver,
in one transaction with the status change (and re-checks every rule on the account as it is
now); or ``reject``s it with a reason; or the maker ``withdraw``s it. Every step is audited
with the account id.

An approval request stores its command's fields as text (``parameters``): dates in ISO form,
the plan's fee policy as ``fee_kind`` and ``fee_rate``, a declared budget as
``monthly_income``, ``monthly_expenses`` and ``budget_currency``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import get_type_hints

from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import Approval, ApprovalKind, ApprovalStatus, may_decide, may_withdraw
from arrears.domain.arrangements.decisions import Decision, TransitionError, deny
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.schedule import FeeKind, FeePolicy
from arrears.domain.arrangements.settlements import Settlement
from arrears.domain.money import Money
from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    ApprovalNeeded,
    ArrangementPolicies,
    ArrangementRefused,
    Signer,
    audit,
    found,
    new_id,
)
from arrears.services.arrangements.extensions import GrantExtension, grant_extension
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.arrangements.settlements import OfferSettlement, offer_settlement

Arrangement = InstallmentPlan | Settlement | Extension
Booking = AgreePlan | OfferSettlement | GrantExtension
KINDS: Mapping[ApprovalKind, type[Booking]] = {
    ApprovalKind.PLAN: AgreePlan,
    ApprovalKind.SETTLEMENT: OfferSettlement,
    ApprovalKind.EXTENSION: GrantExtension,
}


MAKER_NOTE = "maker_note"  # the maker's reason, among a request's parameters (not a term of the booking)


class ApprovalForbidden(Exception):
    """The user may not do this to the approval request; ``decision`` says why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"{decision.rule_id}: {decision.reason_en}")
        self.decision = decision


class ApprovalConflict(ApprovalForbidden):
    """The approval request was already decided."""


@dataclass(frozen=True, slots=True)
class Approve:
    """Approve a pending request: it is booked, with the checker as the approver."""

    approval_id: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    """Reject a pending request, saying why; nothing is booked."""

    approval_id: str
    reason: str  # why, told to the maker


@dataclass(frozen=True, slots=True)
class Withdraw:
    """The maker takes back their own pending request."""

    approval_id: str


@dataclass(frozen=True, slots=True)
class Booked:
    arrangement: Arrangement


@dataclass(frozen=True, slots=True)
class Pending:
    approval: Approval
    decision: Decision  # why it waits: the limit the maker's authority does not reach


@dataclass(frozen=True, slots=True)
class Decided:
    approval: Approval
    arrangement: Arrangement | None = None  # booked when approved


def book(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: Booking, *, maker: str, approver: Signer,
         now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> Arrangement:
    """Book with the authority of ``approver`` (the maker's own, or a checker's): the one call
    behind a direct booking and an approved request."""
    if isinstance(command, AgreePlan):
        return agree_plan(uow, portfolio, command, maker=maker, approver=approver, now=now, policies=policies)
    if isinstance(command, OfferSettlement):
        return offer_settlement(uow, portfolio, command, maker=maker, approver=approver, now=now, policies=policies)
    return grant_extension(uow, command, approver=approver, now=now, policies=policies)


def submit(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: Booking, *, maker: Signer, now: datetime,
           policies: ArrangementPolicies = DEFAULT_POLICIES, note: str = "") -> Booked | Pending:
    """Book ``command`` within the maker's authority, or make it a pending approval request;
    ``note`` (the maker's reason, told to the checker) is kept with a request's terms as
    ``maker_note``."""
    try:
        return Booked(book(uow, portfolio, command, maker=maker.username, approver=maker, now=now, policies=policies))
    except ApprovalNeeded as needed:
        if needed.required is None:  # no authority at all may give it
            raise ArrangementRefused(needed.decision) from needed
        kind = next(k for k, booking in KINDS.items() if isinstance(command, booking))
        terms = parameters(command) | ({MAKER_NOTE: note} if note else {})
        approval = Approval(new_id("AP"), kind, command.account_id, terms, maker.username, needed.required, now)
        with uow:
            uow.approvals.add(approval)
            _audit(uow, approval, now, maker.username, "approval.requested", before="none",
                   required_authority=str(needed.required), why=needed.decision.reason_en,
                   parameters=dict(approval.parameters))
            uow.commit()
        return Pending(approval, needed.decision)


def approve(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: Approve, *, checker: Signer,
            now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> Decided:
    """Approve and book, in one transaction; any refusal leaves the request pending."""
    note = command.note
    with uow:
        approval, decided = _decision(uow, command.approval_id, ApprovalStatus.APPROVED, checker=checker,
                                      reason=note, now=now, policies=policies)
        try:
            booked = book(uow.joined(), portfolio, command_of(approval), maker=approval.maker, approver=checker,
                          now=now, policies=policies)
        except ApprovalNeeded as short:  # the terms on the account as it is now need more
            raise ApprovalForbidden(short.decision) from short
        _audit(uow, decided, now, checker.username, "approval.approved", before="pending",
               authority=str(checker.authority), note=note, booked=f"{approval.kind}:{_key(booked)}")
        uow.commit()
    return Decided(decided, booked)


def reject(uow: ArrangementsUnitOfWork, command: Reject, *, checker: Signer, now: datetime,
           policies: ArrangementPolicies = DEFAULT_POLICIES) -> Decided:
    with uow:
        _, decided = _decision(uow, command.approval_id, ApprovalStatus.REJECTED, checker=checker,
                               reason=command.reason, now=now, policies=policies)
        _audit(uow, decided, now, checker.username, "approval.rejected", before="pending",
               authority=str(checker.authority), reason=command.reason)
        uow.commit()
    return Decided(decided)


def withdraw(uow: ArrangementsUnitOfWork, command: Withdraw, *, maker: Signer, now: datetime) -> Decided:
    with uow:
        approval = _found(uow, command.approval_id)
        decided = _moved(approval, ApprovalStatus.WITHDRAWN, maker.username, now, "")
        _forbid_unless(may_withdraw(approval, maker.username))
        _store(uow, decided)
        _audit(uow, decided, now, maker.username, "approval.withdrawn", before="pending")
        uow.commit()
    return Decided(decided)


def decidable(uow: ArrangementsUnitOfWork, checker: Signer, status: ApprovalStatus = ApprovalStatus.PENDING, *,
              visible: Callable[[Collection[str]], Collection[str]],
              policies: ArrangementPolicies = DEFAULT_POLICIES) -> tuple[Approval, ...]:
    """The requests in ``status`` that ``checker`` may decide, on accounts ``visible`` to them
    (given the account ids, the ones in the checker's scope), newest first."""
    with uow:
        listed = uow.approvals.listed(status)
    allowed = [a for a in listed if _may_decide(a, checker, policies).allowed]
    shown = set(visible({a.account_id for a in allowed})) if allowed else set()
    return tuple(a for a in allowed if a.account_id in shown)


def requests(uow: ArrangementsUnitOfWork, status: ApprovalStatus = ApprovalStatus.PENDING, *,
             maker: str | None = None, account_id: str | None = None) -> tuple[Approval, ...]:
    """The requests in ``status``, those ``maker`` made and on ``account_id`` when given, newest
    first (the caller has checked the account is in the reader's scope)."""
    with uow:
        listed = uow.approvals.listed(status)
    return tuple(a for a in listed if maker in (None, a.maker) and account_id in (None, a.account_id))


def approval_for(uow: ArrangementsUnitOfWork, approval_id: str, viewer: Signer, *,
                 policies: ArrangementPolicies = DEFAULT_POLICIES) -> Approval:
    """One request, for its maker or a user who may decide it."""
    with uow:
        approval = _found(uow, approval_id)
    if viewer.username != approval.maker:
        _forbid_unless(_may_decide(approval, viewer, policies))
    return approval


# --- a command as the text parameters of its request, and back ----------------------------
def parameters(command: Booking) -> dict[str, str]:
    found_: dict[str, str] = {}
    for f in fields(command):
        value = getattr(command, f.name)
        if isinstance(value, FeePolicy):
            found_ |= {"fee_kind": str(value.kind), "fee_rate": str(value.rate)}
        elif isinstance(value, Budget):
            found_ |= {"monthly_income": str(value.monthly_income.amount),
                       "monthly_expenses": str(value.monthly_expenses.amount),
                       "budget_currency": value.monthly_income.currency}
        elif f.name != "account_id" and value is not None:
            found_[f.name] = value.isoformat() if isinstance(value, date) else str(value)
    return found_


def command_of(approval: Approval) -> Booking:
    kind, p = KINDS[approval.kind], approval.parameters
    hints = get_type_hints(kind)
    given: dict[str, object] = {"account_id": approval.account_id}
    for f in fields(kind):
        if f.name in p:
            given[f.name] = _parsed(hints[f.name], p[f.name])
    if "fee_kind" in p:
        given["fee_policy"] = FeePolicy(FeeKind(p["fee_kind"]), Decimal(p["fee_rate"]))
    if "monthly_income" in p:
        currency = p["budget_currency"]
        given["budget"] = Budget(Money.of(p["monthly_income"], currency), Money.of(p["monthly_expenses"], currency))
    return kind(**given)  # type: ignore[arg-type]


def _parsed(kind: object, text: str) -> object:
    if kind is date:
        return date.fromisoformat(text)
    return kind(text) if isinstance(kind, type) else text


# --- helpers ------------------------------------------------------------------------------
def _found(uow: ArrangementsUnitOfWork, approval_id: str) -> Approval:
    return found(uow.approvals.get(approval_id), f"no approval request {approval_id} 未找到该审批申请")


def _may_decide(approval: Approval, checker: Signer, policies: ArrangementPolicies) -> Decision:
    asks = command_of(approval).asks()
    return may_decide(approval.maker, checker.username, checker.authority, asks, policies.limits)


def _forbid_unless(decision: Decision) -> None:
    if not decision.allowed:
        raise ApprovalForbidden(decision)


def _moved(approval: Approval, target: ApprovalStatus, by: str, at: datetime, reason: str) -> Approval:
    try:
        return approval.decided(target, by, at, reason)
    except TransitionError as exc:
        raise ApprovalConflict(_already(approval)) from exc


def _already(approval: Approval) -> Decision:
    by = f" by {approval.decided_by}" if approval.decided_by else ""
    return deny("ARR-APPROVAL-05", f"该审批申请已处理（{approval.status}）",
                f"the approval request was already decided: {approval.status}{by}")


def _decision(uow: ArrangementsUnitOfWork, approval_id: str, target: ApprovalStatus, *, checker: Signer, reason: str,
              now: datetime, policies: ArrangementPolicies) -> tuple[Approval, Approval]:
    """The request and its decision by ``checker``, stored (if still pending) but not committed."""
    approval = _found(uow, approval_id)
    decided = _moved(approval, target, checker.username, now, reason)
    _forbid_unless(_may_decide(approval, checker, policies))
    _store(uow, decided)
    return approval, decided


def _store(uow: ArrangementsUnitOfWork, decided: Approval) -> None:
    if not uow.approvals.decide(decided):  # another checker decided it meanwhile
        current = uow.approvals.get(decided.approval_id)
        raise ApprovalConflict(_already(current or decided))


def _key(arrangement: Arrangement) -> str:
    if isinstance(arrangement, InstallmentPlan):
        return arrangement.plan_id
    return arrangement.settlement_id if isinstance(arrangement, Settlement) else arrangement.extension_id


def _audit(uow: ArrangementsUnitOfWork, approval: Approval, now: datetime, actor: str, action: str, *, before: str,
           **detail: object) -> None:
    audit(uow, now, actor, action, f"approval:{approval.approval_id}@account:{approval.account_id}",
          account_id=approval.account_id, before=before,
          after=f"{approval.status}; {approval.kind}; needs {approval.required_authority}",
          kind=str(approval.kind), maker=approval.maker, checker=approval.decided_by, **detail)
