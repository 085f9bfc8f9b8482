"""Approval requests (审批申请, maker–checker): an arrangement asked for beyond the maker's own
authority waits, unbooked, until a second user whose authority covers it approves it (then
it is booked), rejects it with a reason, or the maker withdraws it.

``pending → approved | rejected | withdrawn``; the three are final. Who may decide is
``approvals.may_decide``; who may withdraw is ``may_withdraw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from arrears.domain.arrangements.approvals import Role
from arrears.domain.arrangements.decisions import Decision, allow, deny, ensure_transition


class ApprovalKind(StrEnum):
    PLAN = "plan"  # 分期
    SETTLEMENT = "settlement"  # 减免结清
    EXTENSION = "extension"  # 延期


class ApprovalStatus(StrEnum):
    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准（已入账）
    REJECTED = "rejected"  # 已驳回
    WITHDRAWN = "withdrawn"  # 已撤回


APPROVAL_TRANSITIONS: Mapping[ApprovalStatus, frozenset[ApprovalStatus]] = MappingProxyType(
    {
        ApprovalStatus.PENDING: frozenset(
            {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN}
        ),
        ApprovalStatus.APPROVED: frozenset(),
        ApprovalStatus.REJECTED: frozenset(),
        ApprovalStatus.WITHDRAWN: frozenset(),
    }
)


@dataclass(frozen=True, slots=True)
class Approval:
    """One approval request: what was asked (``parameters``, the request's terms as text),
    by whom, the least authority that may approve it, and how it was decided."""

    approval_id: str
    kind: ApprovalKind
    account_id: str
    parameters: Mapping[str, str] = field(hash=False)
    maker: str
    required_authority: Role
    created_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""

    def decided(self, target: ApprovalStatus, by: str, at: datetime, reason: str = "") -> Approval:
        """The request moved to ``target`` by ``by``; raises ``TransitionError`` when it was
        already decided."""
        ensure_transition(APPROVAL_TRANSITIONS, self.status, target, f"approval {self.approval_id}")
        return replace(self, status=target, decided_by=by, decided_at=at, reason=reason)


def may_withdraw(approval: Approval, who: str) -> Decision:
    """Only the maker may withdraw their own request."""
    if who != approval.maker:
        return deny(
            "ARR-APPROVAL-04",
            f"只有提交人 {approval.maker} 可以撤回该申请",
            f"only the maker {approval.maker} may withdraw this request",
        )
    return allow("ARR-APPROVAL-04", "提交人撤回自己的申请", "the maker withdraws their own request")
