"""/v1 approvals (maker–checker): the requests a user may decide, and approving, rejecting or
withdrawing one. The decider is the signed-in user with the arrangements authority of their
workbench role; a maker never decides their own request (403), a request already decided
answers 409, and an agency user sees and decides only requests on their agency's accounts.
Approving books the arrangement in the same transaction as the decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.approval_requests import ApprovalStatus
from arrears.entrypoints import approval_schemas as out
from arrears.entrypoints.api.arrangement_deps import SignerDep, answers, approver, visible_accounts
from arrears.entrypoints.api.arrangement_requests import ApproveRequest, NoFields, RejectRequest
from arrears.entrypoints.api.deps import EngineDep, Now
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep
from arrears.services import arrangement_approvals as approvals

router = APIRouter(prefix="/v1/approvals", tags=["approvals"], dependencies=[Depends(approver)],
                   route_class=StrictInputRoute)


@router.get("")
def list_approvals(
    engine: EngineDep,
    principal: PrincipalDep,
    checker: SignerDep,
    status: ApprovalStatus = ApprovalStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[out.ApprovalOut]:
    """The requests the caller may decide (their authority covers it, they did not make it,
    the account is in their scope), newest first."""
    with answers():
        found = approvals.decidable(SqlArrangementsUnitOfWork(engine), checker, status,
                                    visible=visible_accounts(engine, principal))
    return [out.approval_out(a) for a in found[:limit]]


@router.get("/{approval_id}")
def get_approval(approval_id: str, engine: EngineDep, viewer: SignerDep) -> out.ApprovalOut:
    """One request, for its maker or a user who may decide it."""
    with answers():
        return out.approval_out(approvals.approval_for(SqlArrangementsUnitOfWork(engine), approval_id, viewer))


@router.post("/{approval_id}/approve")
def approve(
    approval_id: str, engine: EngineDep, now: Now, checker: SignerDep,
    body: Annotated[ApproveRequest | None, Body()] = None,
) -> out.ApprovedOut:
    """Approve and book it (the same booking as a direct one, approved by the caller); every
    rule is checked again on the account as it is now."""
    with answers():
        decided = approvals.approve(SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine), approval_id,
                                    checker=checker, note=body.note if body else "", now=now)
    return out.approved_out(decided.approval, decided.arrangement)


@router.post("/{approval_id}/reject")
def reject(approval_id: str, body: RejectRequest, engine: EngineDep, now: Now, checker: SignerDep) -> out.ApprovalOut:
    with answers():
        decided = approvals.reject(SqlArrangementsUnitOfWork(engine), approval_id, checker=checker,
                                   reason=body.reason, now=now)
    return out.approval_out(decided.approval)


@router.post("/{approval_id}/withdraw")
def withdraw(
    approval_id: str, engine: EngineDep, now: Now, maker: SignerDep,
    body: Annotated[NoFields | None, Body()] = None,
) -> out.ApprovalOut:
    """The maker withdraws their own pending request."""
    with answers():
        decided = approvals.withdraw(SqlArrangementsUnitOfWork(engine), approval_id, maker=maker, now=now)
    return out.approval_out(decided.approval)
