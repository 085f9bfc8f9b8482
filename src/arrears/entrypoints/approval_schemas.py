"""The outward shape of maker–checker approval requests (API responses)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from arrears.domain.arrangements.approval_requests import Approval
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.settlements import Settlement
from arrears.entrypoints import arrangement_schemas as out
from arrears.services.approval_kinds import Arrangement


class PendingApprovalOut(BaseModel):
    """202: the request waits for a second user whose authority covers it; nothing is booked."""

    approval_id: str
    status: str
    kind: str
    account_id: str
    required_authority: str
    rule_id: str
    reason_zh: str
    reason_en: str


def pending_out(approval: Approval, why: Decision) -> PendingApprovalOut:
    return PendingApprovalOut(
        approval_id=approval.approval_id,
        status=str(approval.status),
        kind=str(approval.kind),
        account_id=approval.account_id,
        required_authority=str(approval.required_authority),
        rule_id=why.rule_id,
        reason_zh=why.reason_zh,
        reason_en=why.reason_en,
    )


class ApprovalOut(BaseModel):
    approval_id: str
    kind: str
    account_id: str
    parameters: dict[str, str]
    maker: str
    required_authority: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    created_at: datetime


def approval_out(a: Approval) -> ApprovalOut:
    return ApprovalOut(
        approval_id=a.approval_id,
        kind=str(a.kind),
        account_id=a.account_id,
        parameters=dict(a.parameters),
        maker=a.maker,
        required_authority=str(a.required_authority),
        status=str(a.status),
        decided_by=a.decided_by or None,
        decided_at=a.decided_at,
        reason=a.reason,
        created_at=a.created_at,
    )


class ApprovedOut(BaseModel):
    """The approved request and the arrangement it booked (one of plan, settlement, extension)."""

    approval: ApprovalOut
    plan: out.PlanOut | None = None
    settlement: out.SettlementOut | None = None
    extension: out.ExtensionOut | None = None


def approved_out(approval: Approval, booked: Arrangement | None) -> ApprovedOut:
    answer = ApprovedOut(approval=approval_out(approval))
    if isinstance(booked, InstallmentPlan):
        answer.plan = out.plan_out(booked)
    elif isinstance(booked, Settlement):
        answer.settlement = out.settlement_out(booked)
    elif isinstance(booked, Extension):
        answer.extension = out.extension_out(booked)
    return answer
