"""Approval limits by role: how far each role may go without someone more senior."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from arrears.domain.arrangements.decisions import Decision, allow, deny


class Role(StrEnum):
    COLLECTOR = "collector"  # 催收员
    TEAM_LEAD = "team_lead"  # 组长
    STRATEGY_MANAGER = "strategy_manager"  # 策略经理
    HEAD_OF_COLLECTIONS = "head_of_collections"  # 催收负责人


ROLE_ORDER = (Role.COLLECTOR, Role.TEAM_LEAD, Role.STRATEGY_MANAGER, Role.HEAD_OF_COLLECTIONS)


@dataclass(frozen=True, slots=True)
class ApprovalLimits:
    max_months: int
    max_fee_waiver: Decimal  # share of plan fees or interest waived, 0..1
    max_settlement_discount: Decimal  # share of the balance forgiven, 0..1
    max_extension_days: int


DEFAULT_LIMITS: Mapping[Role, ApprovalLimits] = MappingProxyType(
    {
        Role.COLLECTOR: ApprovalLimits(12, Decimal("0"), Decimal("0.10"), 15),
        Role.TEAM_LEAD: ApprovalLimits(36, Decimal("0.50"), Decimal("0.30"), 30),
        Role.STRATEGY_MANAGER: ApprovalLimits(60, Decimal("1"), Decimal("0.50"), 60),
        Role.HEAD_OF_COLLECTIONS: ApprovalLimits(60, Decimal("1"), Decimal("0.70"), 90),
    }
)


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """What an arrangement asks for; fields left at zero ask for nothing of that kind."""

    months: int = 0
    fee_waiver: Decimal = Decimal("0")
    settlement_discount: Decimal = Decimal("0")
    extension_days: int = 0


def check_authority(
    role: Role,
    request: ApprovalRequest,
    table: Mapping[Role, ApprovalLimits] = DEFAULT_LIMITS,
) -> Decision:
    """Whether ``role`` may approve ``request`` on its own, naming the limit it exceeds."""
    limits = table.get(role)
    if limits is None:
        return deny(
            "ARR-APPROVAL-00", f"角色 {role} 没有审批权限", f"role {role} has no approval limits"
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
    for _, asked, limit, zh, en in checks:
        if asked > limit:
            return deny(
                "ARR-APPROVAL-01",
                f"{zh} {asked} 超出{role}的审批上限 {limit}，需上级审批",
                f"{en} {asked} is above the {role} limit {limit}; a more senior approval is needed",
            )
    return allow("ARR-APPROVAL-01", f"在{role}的审批权限内", f"within the {role} approval limits")


def lowest_role_allowed(
    request: ApprovalRequest, table: Mapping[Role, ApprovalLimits] = DEFAULT_LIMITS
) -> Role | None:
    """The most junior role that may approve ``request``; None when no role may."""
    return next(
        (r for r in ROLE_ORDER if r in table and check_authority(r, request, table).allowed), None
    )
