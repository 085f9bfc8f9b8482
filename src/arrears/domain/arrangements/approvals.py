"""Approvals (审批): how far each role may go without someone more senior, the arrangements
authority each workbench role carries, who may decide an approval request, and the approval
request itself (maker–checker).

An arrangement asked for beyond the maker's own authority waits, unbooked, until a second user
whose authority covers it approves it (then it is booked), rejects it with a reason, or the
maker withdraws it: ``pending → approved | rejected | withdrawn``; the three are final. Who
may decide is ``may_decide``; who may withdraw is ``may_withdraw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from arrears.domain.access import Role
from arrears.domain.arrangements.decisions import Decision, allow, deny, ensure_transition
from arrears.domain.transitions import transitions


class Authority(StrEnum):
    COLLECTOR = "collector"  # 催收员
    TEAM_LEAD = "team_lead"  # 组长
    STRATEGY_MANAGER = "strategy_manager"  # 策略经理
    HEAD_OF_COLLECTIONS = "head_of_collections"  # 催收负责人


ROLE_ORDER = (Authority.COLLECTOR, Authority.TEAM_LEAD, Authority.STRATEGY_MANAGER, Authority.HEAD_OF_COLLECTIONS)

# The arrangements authority a signed-in workbench user carries, by their workbench role: the
# one mapping from who someone is to how far they may go. Compliance officers and auditors
# carry none.
AUTHORITY_OF: Mapping[Role, Authority] = MappingProxyType(
    {
        Role.COLLECTOR: Authority.COLLECTOR,
        Role.TEAM_LEAD: Authority.TEAM_LEAD,
        Role.STRATEGY_MANAGER: Authority.STRATEGY_MANAGER,
        Role.ADMIN: Authority.HEAD_OF_COLLECTIONS,
    }
)


# How the reasons name each authority, in Chinese and in English (never the code).
AUTHORITY_NAMES: Mapping[Authority, tuple[str, str]] = MappingProxyType(
    {
        Authority.COLLECTOR: ("催收员", "collector"),
        Authority.TEAM_LEAD: ("组长", "team lead"),
        Authority.STRATEGY_MANAGER: ("策略经理", "strategy manager"),
        Authority.HEAD_OF_COLLECTIONS: ("催收负责人", "head of collections"),
    }
)


# What a name that is not a signed-in or looked-up user may approve on its own (an operator's
# command naming its actor): the least authority.
LEAST_AUTHORITY = ROLE_ORDER[0]


def authority_of(role: Role) -> Authority | None:
    """The arrangements authority of a workbench role; None when it carries none."""
    return AUTHORITY_OF.get(role)


@dataclass(frozen=True, slots=True)
class ApprovalLimits:
    max_months: int
    max_fee_waiver: Decimal  # share of plan fees or interest waived, 0..1
    max_settlement_discount: Decimal  # share of the balance forgiven, 0..1
    max_extension_days: int


DEFAULT_LIMITS: Mapping[Authority, ApprovalLimits] = MappingProxyType(
    {
        Authority.COLLECTOR: ApprovalLimits(12, Decimal("0"), Decimal("0.10"), 15),
        Authority.TEAM_LEAD: ApprovalLimits(36, Decimal("0.50"), Decimal("0.30"), 30),
        Authority.STRATEGY_MANAGER: ApprovalLimits(60, Decimal("1"), Decimal("0.50"), 60),
        Authority.HEAD_OF_COLLECTIONS: ApprovalLimits(60, Decimal("1"), Decimal("0.70"), 90),
    }
)


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """What an arrangement asks for; fields left at zero ask for nothing of that kind."""

    months: int = 0
    fee_waiver: Decimal = Decimal("0")
    settlement_discount: Decimal = Decimal("0")
    extension_days: int = 0


def check_authority(role: Authority | None, request: ApprovalRequest,
                    table: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Decision:
    """Whether ``role`` may approve ``request`` on its own, naming the limit it exceeds."""
    limits = None if role is None else table.get(role)
    if role is None or limits is None:
        return deny(
            "ARR-APPROVAL-00",
            f"角色 {role or '（无）'} 没有还款安排审批权限",
            f"role {role or '(none)'} has no arrangements authority",
        )
    checks = (
        ("months", request.months, limits.max_months, "期数", "months"),
        ("fee_waiver", request.fee_waiver, limits.max_fee_waiver, "费用减免比例", "fee waiver"),
        (
            "settlement_discount",
            request.settlement_discount,
            limits.max_settlement_discount,
            "结清减免比例",
            "settlement discount",
        ),
        (
            "extension_days",
            request.extension_days,
            limits.max_extension_days,
            "延期天数",
            "extension days",
        ),
    )
    role_zh, role_en = AUTHORITY_NAMES[role]
    for name, asked, limit, zh, en in checks:
        if asked > limit:
            shown, cap = (_percent(asked), _percent(limit)) if name in SHARES else (asked, limit)
            return deny(
                "ARR-APPROVAL-01",
                f"{zh} {shown} 超出{role_zh}的审批上限 {cap}，需上级审批",
                f"{en} {shown} is above the {role_en} limit {cap}; a more senior approval is needed",
            )
    return allow("ARR-APPROVAL-01", f"在{role_zh}的审批权限内", f"within the {role_en} approval limits")


SHARES = frozenset({"fee_waiver", "settlement_discount"})  # limits on a share, told in percent


def _percent(share: Decimal | int) -> str:
    """A share as a percentage: 0.2 -> 20%, 0.125 -> 12.5%."""
    return f"{(Decimal(share) * 100).normalize():f}%"


def lowest_role_allowed(
    request: ApprovalRequest, table: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS
) -> Authority | None:
    """The most junior role that may approve ``request``; None when no role may."""
    return next(
        (r for r in ROLE_ORDER if r in table and check_authority(r, request, table).allowed), None
    )


def why_required(request: ApprovalRequest, required: Authority,
                 table: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Decision:
    """Why ``request`` needs ``required``: the limit of the authority just below it that the
    request exceeds (for a request that needs the least authority, that it is within it)."""
    below = ROLE_ORDER[: ROLE_ORDER.index(required)]
    return check_authority(below[-1] if below else required, request, table)


def may_decide(maker: str, decider: str, authority: Authority | None, request: ApprovalRequest,
               table: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Decision:
    """Whether ``decider`` (with ``authority``) may approve or reject what ``maker`` asked
    for: never the maker themself (maker–checker), and only within the decider's own limits."""
    if decider == maker:
        return deny(
            "ARR-APPROVAL-03",
            "提交人不能审批自己的申请，须由另一位有权限的人审批",
            "the maker of a request cannot decide it: another user with the authority must",
        )
    return check_authority(authority, request, table)


# --- approval requests (审批申请) ----------------------------------------------------------
class ApprovalKind(StrEnum):
    PLAN = "plan"  # 分期
    SETTLEMENT = "settlement"  # 减免结清
    EXTENSION = "extension"  # 延期


class ApprovalStatus(StrEnum):
    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准（已入账）
    REJECTED = "rejected"  # 已驳回
    WITHDRAWN = "withdrawn"  # 已撤回


APPROVAL_TRANSITIONS = transitions(ApprovalStatus, {
    ApprovalStatus.PENDING: {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN},
})


@dataclass(frozen=True, slots=True)
class Approval:
    """One approval request: what was asked (``parameters``, the request's terms as text),
    by whom, the least authority that may approve it, and how it was decided."""

    approval_id: str
    kind: ApprovalKind
    account_id: str
    parameters: Mapping[str, str] = field(hash=False)
    maker: str
    required_authority: Authority
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
