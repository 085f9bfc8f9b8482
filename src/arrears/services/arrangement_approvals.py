"""Maker–checker approvals of arrangements (审批).

``submit`` books a plan, settlement or extension when the maker's own authority covers it.
When every other rule allows it but the maker's authority does not (``ApprovalNeeded``), it is
neither refused nor booked: it becomes a pending approval request, audited. A second user
whose authority covers it (``approvals.may_decide``: never the maker) then ``approve``s it,
which books it through the same use case call as a direct booking, with that user as the
approver, in one transaction with the status change (and re-checks every rule on the account
as it is now); or ``reject``s it with a reason; or the maker ``withdraw``s it. Every step is
audited with the account id."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arrears.domain.arrangements.approval_requests import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    may_withdraw,
)
from arrears.domain.arrangements.approvals import may_decide
from arrears.domain.arrangements.decisions import Decision, TransitionError, deny
from arrears.services.approval_kinds import KINDS, Arrangement, Signer
from arrears.services.arrangement_accounts import IngestedPortfolio
from arrears.services.arrangement_ports import ArrangementsUnitOfWork, AuditEntry
from arrears.services.arrangements import (
    DEFAULT_POLICIES,
    ApprovalNeeded,
    ArrangementPolicies,
    ArrangementRefused,
    NotFound,
)


class ApprovalForbidden(Exception):
    """The user may not do this to the approval request; ``decision`` says why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"{decision.rule_id}: {decision.reason_en}")
        self.decision = decision


class ApprovalConflict(ApprovalForbidden):
    """The approval request was already decided."""


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


def submit(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    kind: ApprovalKind,
    ask: Any,
    *,
    maker: Signer,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Booked | Pending:
    """Book ``ask`` within the maker's authority, or make it a pending approval request."""
    handler = KINDS[kind]
    try:
        return Booked(handler.book(uow, portfolio, ask, maker=maker.username, approver=maker, now=now,
                                   policies=policies))
    except ApprovalNeeded as needed:
        if needed.required is None:  # no authority at all may give it
            raise ArrangementRefused(needed.decision) from needed
        approval = Approval(f"AP-{uuid.uuid4().hex[:12].upper()}", kind, ask.account_id, handler.parameters(ask),
                            maker.username, needed.required, now)
        with uow:
            uow.approvals.add(approval)
            uow.audit.append(_entry(approval, now, maker.username, "approval.requested", before="none",
                                    detail={"required_authority": str(needed.required),
                                     "why": needed.decision.reason_en, "parameters": dict(approval.parameters)}))
            uow.commit()
        return Pending(approval, needed.decision)


def approve(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    approval_id: str,
    *,
    checker: Signer,
    note: str = "",
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Decided:
    """Approve and book, in one transaction; any refusal leaves the request pending."""
    with uow:
        approval, decided = _decision(uow, approval_id, ApprovalStatus.APPROVED, checker=checker, reason=note,
                                      now=now, policies=policies)
        handler = KINDS[approval.kind]
        try:
            booked = handler.book(uow.joined(), portfolio, handler.ask(approval.account_id, approval.parameters),
                                  maker=approval.maker, approver=checker, now=now, policies=policies)
        except ApprovalNeeded as short:  # the terms on the account as it is now need more
            raise ApprovalForbidden(short.decision) from short
        uow.audit.append(_entry(decided, now, checker.username, "approval.approved", before="pending",
                                detail={"authority": str(checker.authority), "note": note,
                                 "booked": f"{approval.kind}:{_id_of(booked)}"}))
        uow.commit()
    return Decided(decided, booked)


def reject(
    uow: ArrangementsUnitOfWork,
    approval_id: str,
    *,
    checker: Signer,
    reason: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Decided:
    with uow:
        _, decided = _decision(uow, approval_id, ApprovalStatus.REJECTED, checker=checker, reason=reason,
                               now=now, policies=policies)
        uow.audit.append(_entry(decided, now, checker.username, "approval.rejected", before="pending",
                                detail={"authority": str(checker.authority), "reason": reason}))
        uow.commit()
    return Decided(decided)


def withdraw(
    uow: ArrangementsUnitOfWork,
    approval_id: str,
    *,
    maker: Signer,
    now: datetime,
) -> Decided:
    with uow:
        approval = _found(uow, approval_id)
        decided = _moved(approval, ApprovalStatus.WITHDRAWN, maker.username, now, "")
        _forbid_unless(may_withdraw(approval, maker.username))
        _store(uow, decided)
        uow.audit.append(_entry(decided, now, maker.username, "approval.withdrawn", before="pending", detail={}))
        uow.commit()
    return Decided(decided)


def decidable(
    uow: ArrangementsUnitOfWork,
    checker: Signer,
    status: ApprovalStatus = ApprovalStatus.PENDING,
    *,
    visible: Callable[[Collection[str]], Collection[str]],
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> tuple[Approval, ...]:
    """The requests in ``status`` that ``checker`` may decide, on accounts ``visible`` to them
    (given the account ids, the ones in the checker's scope), newest first."""
    with uow:
        found = uow.approvals.listed(status)
    allowed = [a for a in found if _may_decide(a, checker, policies).allowed]
    shown = set(visible({a.account_id for a in allowed})) if allowed else set()
    return tuple(a for a in allowed if a.account_id in shown)


def approval_for(
    uow: ArrangementsUnitOfWork,
    approval_id: str,
    viewer: Signer,
    *,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Approval:
    """One request, for its maker or a user who may decide it."""
    with uow:
        approval = _found(uow, approval_id)
    if viewer.username != approval.maker:
        _forbid_unless(_may_decide(approval, viewer, policies))
    return approval


# --- helpers ------------------------------------------------------------------------------
def _found(uow: ArrangementsUnitOfWork, approval_id: str) -> Approval:
    approval = uow.approvals.get(approval_id)
    if approval is None:
        raise NotFound(f"no approval request {approval_id} 未找到该审批申请")
    return approval


def _may_decide(approval: Approval, checker: Signer, policies: ArrangementPolicies) -> Decision:
    handler = KINDS[approval.kind]
    asks = handler.asks(handler.ask(approval.account_id, approval.parameters))
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


def _decision(
    uow: ArrangementsUnitOfWork, approval_id: str, target: ApprovalStatus, *, checker: Signer, reason: str,
    now: datetime, policies: ArrangementPolicies,
) -> tuple[Approval, Approval]:
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


def _id_of(arrangement: Arrangement) -> str:
    return str(getattr(arrangement, "plan_id", None) or getattr(arrangement, "settlement_id", None)
               or getattr(arrangement, "extension_id", ""))


def _entry(approval: Approval, now: datetime, actor: str, action: str, *, before: str,
           detail: dict[str, object]) -> AuditEntry:
    return AuditEntry(
        now, actor, action, f"approval:{approval.approval_id}@account:{approval.account_id}", before,
        f"{approval.status}; {approval.kind}; needs {approval.required_authority}",
        {"account_id": approval.account_id, "kind": str(approval.kind), "maker": approval.maker,
         "checker": approval.decided_by, **detail},
    )
