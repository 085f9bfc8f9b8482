"""The storage the arrangement use cases need: small repository protocols and a unit of
work. The in-memory fakes are in ``arrears.adapters.memory_arrangements``; the database
adapters implement the same protocols."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Self

from arrears.domain.arrangements.approval_requests import Approval, ApprovalStatus
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import AccountLedger
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import Settlement


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who did what to which subject, with a before/after summary."""

    at: datetime
    actor: str
    action: str  # e.g. "plan.agreed", "payment.posted"
    subject: str  # e.g. "account:A1", "plan:PL1"
    before: str
    after: str
    detail: Mapping[str, object] = field(default_factory=dict)  # stored as JSON


class LedgerRepository(Protocol):
    def get(self, account_id: str) -> AccountLedger | None: ...
    def save(self, ledger: AccountLedger) -> None: ...
    def account_of_payment(self, payment_id: str) -> str | None:
        """The account whose ledger holds ``payment_id`` (payment ids are unique)."""
        ...


class PromiseRepository(Protocol):
    def for_account(self, account_id: str) -> tuple[PromiseToPay, ...]: ...
    def add(self, promise: PromiseToPay) -> None: ...


class PlanRepository(Protocol):
    def get(self, plan_id: str) -> InstallmentPlan | None: ...
    def for_account(self, account_id: str) -> tuple[InstallmentPlan, ...]: ...
    def save(self, plan: InstallmentPlan) -> None: ...


class SettlementRepository(Protocol):
    def get(self, settlement_id: str) -> Settlement | None: ...
    def for_account(self, account_id: str) -> tuple[Settlement, ...]: ...
    def save(self, settlement: Settlement) -> None: ...


class ExtensionRepository(Protocol):
    def for_account(self, account_id: str) -> tuple[Extension, ...]: ...
    def add(self, extension: Extension) -> None: ...


class HardshipRepository(Protocol):
    def for_account(self, account_id: str) -> tuple[HardshipProgramme, ...]: ...
    def add(self, programme: HardshipProgramme) -> None: ...


class ReferralRepository(Protocol):
    def get(self, referral_id: str) -> Referral | None: ...
    def for_account(self, account_id: str) -> tuple[Referral, ...]: ...
    def save(self, referral: Referral) -> None: ...


class ApprovalRepository(Protocol):
    def get(self, approval_id: str) -> Approval | None: ...
    def add(self, approval: Approval) -> None: ...
    def decide(self, approval: Approval) -> bool:
        """Store the decision of a request that is still pending; False (and nothing stored)
        when it was decided meanwhile, so two checkers can never both decide it."""
        ...
    def listed(self, status: ApprovalStatus) -> tuple[Approval, ...]:
        """The requests in ``status``, newest first."""
        ...


class AuditLog(Protocol):
    """Append-only: there is no way to change or remove an entry."""

    def append(self, entry: AuditEntry) -> None: ...


class ArrangementsUnitOfWork(Protocol):
    """One business transaction: everything commits together or nothing does."""

    ledgers: LedgerRepository
    promises: PromiseRepository
    plans: PlanRepository
    settlements: SettlementRepository
    extensions: ExtensionRepository
    hardship: HardshipRepository
    referrals: ReferralRepository
    approvals: ApprovalRepository
    audit: AuditLog

    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> None: ...  # rolls back what was not committed
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def joined(self) -> ArrangementsUnitOfWork:
        """A unit of work inside this one's open transaction, for a use case run as part of
        another (approving a request books the arrangement): its ``commit`` leaves the commit
        to this one, so both commit or roll back together."""
        ...
