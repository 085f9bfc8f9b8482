"""Who may do what on the workbench: roles, permissions, who may take work, login lockout.

Pure: no clock, no IO. Every refusal explains itself (rule id, zh and en sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    COLLECTOR = "collector"
    TEAM_LEAD = "team_lead"
    STRATEGY_MANAGER = "strategy_manager"
    COMPLIANCE_OFFICER = "compliance_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    VIEW_ACCOUNTS = "view_accounts"
    REVEAL_PERSONAL = "reveal_personal"
    TAKE_WORK = "take_work"
    LOG_CONTACT = "log_contact"
    MANAGE_FOLLOW_UPS = "manage_follow_ups"
    HAND_OVER = "hand_over"
    VIEW_TEAM = "view_team"
    VIEW_COMPLIANCE = "view_compliance"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COLLECTOR: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.TAKE_WORK, _P.LOG_CONTACT,
                               _P.MANAGE_FOLLOW_UPS}),
    Role.TEAM_LEAD: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.TAKE_WORK, _P.LOG_CONTACT,
                               _P.MANAGE_FOLLOW_UPS, _P.HAND_OVER, _P.VIEW_TEAM, _P.VIEW_COMPLIANCE}),
    Role.STRATEGY_MANAGER: frozenset({_P.VIEW_ACCOUNTS, _P.VIEW_TEAM}),
    Role.COMPLIANCE_OFFICER: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.VIEW_TEAM,
                                        _P.VIEW_COMPLIANCE, _P.VIEW_AUDIT}),
    Role.AUDITOR: frozenset({_P.VIEW_ACCOUNTS, _P.VIEW_TEAM, _P.VIEW_COMPLIANCE, _P.VIEW_AUDIT}),
    Role.ADMIN: frozenset(Permission),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True, slots=True)
class Refusal:
    rule: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True, slots=True)
class WorkEligibility:
    refusals: tuple[Refusal, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def may_take_work(
    role: Role,
    training_valid_until: date | None,
    agency_authorized_until: date | None,
    is_agency_user: bool,
    today: date,
) -> WorkEligibility:
    """A collector works only with valid training and, at an agency, a live mandate."""
    refusals: list[Refusal] = []
    if not may(role, Permission.TAKE_WORK):
        refusals.append(Refusal("access.role", f"角色 {role.value} 不能领取案件",
                                f"the role {role.value} does not take work"))
    if training_valid_until is None or training_valid_until < today:
        until = training_valid_until.isoformat() if training_valid_until else "无记录"
        refusals.append(Refusal(
            "access.training_lapsed",
            f"催收员培训资质已过期（有效期至 {until}），须重新培训后才能作业",
            f"collector training has lapsed (valid until {until if training_valid_until else 'none'}); "
            "retrain before taking work",
        ))
    if is_agency_user and (agency_authorized_until is None or agency_authorized_until < today):
        until = agency_authorized_until.isoformat() if agency_authorized_until else "无记录"
        refusals.append(Refusal(
            "access.agency_mandate_ended",
            f"委外机构授权已结束（授权至 {until}），不能继续作业",
            f"the agency's mandate has ended (authorised until {until}); no work may be taken",
        ))
    return WorkEligibility(tuple(refusals))


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Throttling: after ``max_failures`` wrong passwords in a row the user is locked."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)

    def after_failure(self, failures_before: int, now: datetime) -> tuple[int, datetime | None]:
        failures = failures_before + 1
        if failures >= self.max_failures:
            return 0, now + self.lock_for
        return failures, None

    @staticmethod
    def is_locked(locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and locked_until > now
