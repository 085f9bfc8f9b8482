"""What every arrangement use case shares: the refusals, the policies it applies, who signs,
the business day, new ids, and the one way an audit entry is written (always with the
account it concerns)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from arrears.domain.arrangements.affordability import AffordabilityPolicy
from arrears.domain.arrangements.approvals import (
    DEFAULT_LIMITS,
    ApprovalLimits,
    ApprovalRequest,
    Authority,
    check_authority,
    lowest_role_allowed,
)
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.decisions import Decision, deny
from arrears.domain.arrangements.extensions import ExtensionPolicy
from arrears.domain.arrangements.hardship import HardshipPolicy
from arrears.domain.arrangements.plans import PlanPolicy
from arrears.domain.arrangements.promises import PromisePolicy
from arrears.domain.arrangements.schedule import FeeLimits, TermLimits
from arrears.domain.arrangements.settlements import SettlementPolicy
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.services.arrangements.ports import ArrangementsUnitOfWork

T = TypeVar("T")


class ArrangementRefused(Exception):
    """A rule refused the request; ``decision`` says which and why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"{decision.rule_id}: {decision.reason_en}")
        self.decision = decision


class ApprovalNeeded(ArrangementRefused):
    """Everything else allows the request, but the authority given does not cover it:
    ``required`` is the least authority that does (None when no role may approve it)."""

    def __init__(self, decision: Decision, required: Authority | None) -> None:
        super().__init__(decision)
        self.required = required


class NotFound(LookupError):
    """The account, plan, settlement, referral or approval request named does not exist."""


@dataclass(frozen=True, slots=True)
class Signer:
    """Who acts, and the arrangements authority they carry: on the API the signed-in user and
    ``approvals.authority_of`` their workbench role, never what a request body claims."""

    username: str
    authority: Authority | None


@dataclass(frozen=True, slots=True)
class ArrangementPolicies:
    """Every setting the use cases apply, in one place (defaults documented in
    docs/arrangements.md)."""

    terms: TermLimits = field(default_factory=TermLimits)
    fee_limits: FeeLimits = field(default_factory=FeeLimits)
    affordability: AffordabilityPolicy = field(default_factory=AffordabilityPolicy)
    promise: PromisePolicy = field(default_factory=PromisePolicy)
    plan: PlanPolicy = field(default_factory=PlanPolicy)
    extension: ExtensionPolicy = field(default_factory=ExtensionPolicy)
    settlement: SettlementPolicy = field(default_factory=SettlementPolicy)
    hardship: HardshipPolicy = field(default_factory=HardshipPolicy)
    limits: Mapping[Authority, ApprovalLimits] = field(default_factory=lambda: DEFAULT_LIMITS)
    zone: str = DEFAULT_ZONE


DEFAULT_POLICIES = ArrangementPolicies()


def today(now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> date:
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    return now.astimezone(ZoneInfo(policies.zone)).date()


def new_id(prefix: str, given: str | None = "") -> str:
    """``given``, or a new id such as ``PL-3F2A9C0B1D4E``."""
    return given or f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def refusal(rule_id: str, zh: str, en: str) -> ArrangementRefused:
    return ArrangementRefused(deny(rule_id, zh, en))


def refuse_unless(decision: Decision) -> None:
    if not decision.allowed:
        raise ArrangementRefused(decision)


def needs_approval_unless(decision: Decision, request: ApprovalRequest, policies: ArrangementPolicies) -> None:
    if not decision.allowed:
        raise ApprovalNeeded(decision, lowest_role_allowed(request, policies.limits))


def within_authority(role: Authority | None, request: ApprovalRequest, policies: ArrangementPolicies) -> None:
    needs_approval_unless(check_authority(role, request, policies.limits), request, policies)


def found(item: T | None, missing: str) -> T:
    """``item``, or NotFound with the message ``missing``."""
    if item is None:
        raise NotFound(missing)
    return item


def audit(uow: ArrangementsUnitOfWork, now: datetime, actor: str, action: str, subject: str, *, account_id: str,
          before: object = "none", after: object = "", **detail: object) -> None:
    """Append one audit entry; every arrangement entry names its account in ``detail``."""
    entry = AuditEntry(now, actor, action, subject, str(before), str(after), {"account_id": account_id, **detail})
    uow.audit.append(entry)


def add(uow: ArrangementsUnitOfWork, records: str, item: T, subject: str, *, action: str, actor: str, now: datetime,
        after: str, **detail: object) -> T:
    """Store a new arrangement in ``uow.<records>`` and audit it: one unit of work."""
    with uow:
        getattr(uow, records).save(item)
        audit(uow, now, actor, action, subject, account_id=cast(Any, item).account_id, after=after, **detail)
        uow.commit()
    return item


def store_change(uow: ArrangementsUnitOfWork, kind: str, key: str, before: Any, after: Any, *, actor: str,
                 now: datetime, action: str = "", attribute: str = "status", **detail: object) -> None:
    """In an open unit of work: store ``after`` (the ``kind`` ``key`` as changed from ``before``,
    in ``uow.<kind>s``) and audit the change of its ``attribute``; the action is
    ``<kind>.<its new status>`` unless named."""
    getattr(uow, f"{kind}s").save(after)
    old, new = getattr(before, attribute), getattr(after, attribute)
    audit(uow, now, actor, action or f"{kind}.{new}", f"{kind}:{key}", account_id=before.account_id, before=old,
          after=new, **detail)


def change(uow: ArrangementsUnitOfWork, kind: str, key: str, changed: Callable[[Any], T], *, actor: str,
           now: datetime, action: str = "", attribute: str = "status") -> T:
    """Load the ``kind`` ``key`` (else NotFound "no <kind> <key>"), change it, store it and audit
    the change: one unit of work."""
    with uow:
        before = found(getattr(uow, f"{kind}s").get(key), f"no {kind} {key}")
        after = changed(before)
        store_change(uow, kind, key, before, after, actor=actor, now=now, action=action, attribute=attribute)
        uow.commit()
    return after
