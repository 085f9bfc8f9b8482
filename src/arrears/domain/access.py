"""Who may do what on the workbench: roles, permissions, who may take work, who may administer
whom, service-token scopes, login lockout.

Pure: no clock, no IO. Every refusal explains itself (rule id, zh and en sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.domain.reasons import Reason


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
    CHECK_COMPLIANCE = "check_compliance"  # POST /v1/compliance/check (people who contact customers, oversight)
    MANAGE_SERVICE_TOKENS = "manage_service_tokens"
    ALLOCATE = "allocate"  # place accounts with agencies, recall and move them (分案、退案、调案)
    VIEW_CASES = "view_cases"  # disputes, hardship requests and complaints (docs/cases.md)
    WORK_CASES = "work_cases"  # take a case, close one you own
    ASSIGN_CASES = "assign_cases"  # give a case to someone, close anyone's
    READ_CASE_FILES = "read_case_files"  # decrypt the evidence attached to a case (audited)


class ServiceScope(StrEnum):
    """What a system (not a person) may do with a service token."""

    COMPLIANCE_CHECK = "compliance:check"
    OUTREACH_CALLBACK = "outreach:callback"
    DIALER = "dialer"
    PAYMENTS_NOTIFY = "payments:notify"


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COLLECTOR: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.TAKE_WORK, _P.LOG_CONTACT,
                               _P.MANAGE_FOLLOW_UPS, _P.CHECK_COMPLIANCE, _P.VIEW_CASES, _P.WORK_CASES}),
    Role.TEAM_LEAD: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.TAKE_WORK, _P.LOG_CONTACT,
                               _P.MANAGE_FOLLOW_UPS, _P.HAND_OVER, _P.VIEW_TEAM, _P.VIEW_COMPLIANCE,
                               _P.CHECK_COMPLIANCE, _P.ALLOCATE, _P.VIEW_CASES, _P.WORK_CASES, _P.ASSIGN_CASES,
                               _P.READ_CASE_FILES}),
    Role.STRATEGY_MANAGER: frozenset({_P.VIEW_ACCOUNTS, _P.VIEW_TEAM, _P.ALLOCATE}),
    Role.COMPLIANCE_OFFICER: frozenset({_P.VIEW_ACCOUNTS, _P.REVEAL_PERSONAL, _P.VIEW_TEAM,
                                        _P.VIEW_COMPLIANCE, _P.VIEW_AUDIT, _P.CHECK_COMPLIANCE, _P.VIEW_CASES,
                                        _P.WORK_CASES, _P.ASSIGN_CASES, _P.READ_CASE_FILES}),
    Role.AUDITOR: frozenset({_P.VIEW_ACCOUNTS, _P.VIEW_TEAM, _P.VIEW_COMPLIANCE, _P.VIEW_AUDIT, _P.VIEW_CASES}),
    Role.ADMIN: frozenset(Permission),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


# Each role starts its day on its own page: collectors on their queue, team leads and
# administrators on the team page, strategy managers on the operation's dashboard, compliance
# officers and auditors on compliance.
LANDING_PAGE: dict[Role, str] = {
    Role.COLLECTOR: "/queue", Role.TEAM_LEAD: "/team", Role.STRATEGY_MANAGER: "/dashboard",
    Role.COMPLIANCE_OFFICER: "/compliance", Role.AUDITOR: "/compliance", Role.ADMIN: "/team",
}


def landing_page(role: Role) -> str:
    """Where a signed-in user of ``role`` lands; a page the role may see."""
    return LANDING_PAGE[role]


@dataclass(frozen=True, slots=True)
class WorkEligibility:
    refusals: tuple[Reason, ...]

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
    refusals: list[Reason] = []
    if not may(role, Permission.TAKE_WORK):
        refusals.append(Reason("access.role", f"角色 {role.value} 不能领取案件",
                               f"the role {role.value} does not take work"))
    if training_valid_until is None or training_valid_until < today:
        until = training_valid_until.isoformat() if training_valid_until else "无记录"
        refusals.append(Reason(
            "access.training_lapsed",
            f"催收员培训资质已过期（有效期至 {until}），须重新培训后才能作业",
            f"collector training has lapsed (valid until {until if training_valid_until else 'none'}); "
            "retrain before taking work",
        ))
    if is_agency_user and (agency_authorized_until is None or agency_authorized_until < today):
        until = agency_authorized_until.isoformat() if agency_authorized_until else "无记录"
        refusals.append(Reason(
            "access.agency_mandate_ended",
            f"委外机构授权已结束（授权至 {until}），不能继续作业",
            f"the agency's mandate has ended (authorised until {until}); no work may be taken",
        ))
    return WorkEligibility(tuple(refusals))


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a user stands for administration: a role, and an agency (None: in house)."""

    role: Role
    agency_id: str | None


def _outside(actor: Standing, target: Standing) -> Reason | None:
    if actor.agency_id is None or target.agency_id == actor.agency_id:
        return None
    if target.agency_id is None:
        return Reason("access.in_house_user", f"委外机构 {actor.agency_id} 的管理员不能管理行内用户",
                      f"an administrator of the agency {actor.agency_id} cannot manage in-house users")
    return Reason("access.other_agency", f"委外机构 {actor.agency_id} 的管理员不能管理机构 {target.agency_id} 的用户",
                  f"an administrator of the agency {actor.agency_id} cannot manage users of the agency "
                  f"{target.agency_id}")


def _above(actor: Standing, target: Standing) -> Reason | None:
    if target.role is Role.ADMIN and actor.agency_id is not None:
        return Reason("access.admin_by_in_house_only", "只有行内管理员才能设立或管理管理员",
                      "only an in-house administrator sets up or manages administrators")
    if not ROLE_PERMISSIONS[target.role] <= ROLE_PERMISSIONS[actor.role]:
        return Reason("access.role_above_own", f"角色 {target.role.value} 的权限超出您的角色 {actor.role.value}",
                      f"the role {target.role.value} holds permissions your role {actor.role.value} does not")
    return None


def administration_refusals(
    actor: Standing, target_before: Standing | None, target_after: Standing, *, is_self: bool = False
) -> tuple[Reason, ...]:
    """Who may create a user (``target_before`` None) or change one (role, agency, active, password).

    The actor needs MANAGE_USERS; an agency's administrator manages only users of that agency and never
    an administrator; nobody gives a role with a permission they do not hold. A change must be allowed
    both for the user as they are and as they will be. Nobody changes their own standing this way.
    """
    if not may(actor.role, Permission.MANAGE_USERS):
        return (Reason("access.role", f"角色 {actor.role.value} 不能管理用户",
                       f"the role {actor.role.value} does not manage users"),)
    if is_self:
        return (Reason("access.self", "不能这样修改自己的账户（请另一位管理员办理；改密码请用 /v1/me/password）",
                       "you cannot change your own account this way (ask another administrator; "
                       "change your password at /v1/me/password)"),)
    found: list[Reason] = []
    for target in (target_before, target_after):
        if target is None:
            continue
        for refusal in (_outside(actor, target), _above(actor, target)):
            if refusal is not None and refusal not in found:
                found.append(refusal)
    return tuple(found)


def agent_refusal(user_agency_id: str | None, agent_agency_id: str | None, agent_known: bool) -> Reason | None:
    """A user is linked only to an agent of the same agency (or of the house, for in-house users)."""
    if not agent_known:
        return Reason("access.unknown_agent", "没有这个催收员编号", "no such agent")
    if (agent_agency_id or None) != (user_agency_id or None):
        return Reason("access.agent_of_other_agency", "催收员编号属于另一个机构",
                      "the agent belongs to another agency")
    return None


def service_token_refusal(actor: Standing) -> Reason | None:
    """Service tokens act across every agency's accounts: only in-house administrators issue them."""
    if not may(actor.role, Permission.MANAGE_SERVICE_TOKENS) or actor.agency_id is not None:
        return Reason("access.service_tokens", "只有行内管理员才能管理服务令牌",
                      "only an in-house administrator manages service tokens")
    return None


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
