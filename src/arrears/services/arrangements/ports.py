"""What the arrangement use cases need from outside: small repository protocols, the audit
log, a unit of work, and the ingested portfolio. Adapters satisfy them structurally (they
import nothing from here): ``arrears.adapters.storage.arrangements_repository`` on a database,
``arrears.adapters.memory_arrangements`` in memory."""

from __future__ import annotations

from typing import Protocol, TypeVar

from arrears.domain.arrangements.approvals import Approval, ApprovalStatus
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import AccountLedger, IngestedAccount, Payment
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import Settlement
from arrears.services.unit_of_work import UnitOfWork

T = TypeVar("T")


class Repository(Protocol[T]):
    """Arrangements of one kind: by id, by account, and the accounts holding one in a status."""

    def get(self, item_id: str) -> T | None: ...
    def for_account(self, account_id: str) -> tuple[T, ...]: ...
    def save(self, item: T) -> None: ...
    def accounts_with(self, status: str) -> tuple[str, ...]: ...


class LedgerRepository(Protocol):
    def get(self, account_id: str) -> AccountLedger | None: ...
    def save(self, ledger: AccountLedger) -> None: ...
    def account_of_payment(self, payment_id: str) -> str | None:
        """The account whose ledger holds ``payment_id`` (payment ids are unique)."""
        ...


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


class ArrangementsUnitOfWork(UnitOfWork, Protocol):
    """One business transaction: everything commits together or nothing does. (The
    repositories are read-only members, so an adapter may hold narrower types.)"""

    @property
    def ledgers(self) -> LedgerRepository: ...
    @property
    def promises(self) -> Repository[PromiseToPay]: ...
    @property
    def plans(self) -> Repository[InstallmentPlan]: ...
    @property
    def settlements(self) -> Repository[Settlement]: ...
    @property
    def extensions(self) -> Repository[Extension]: ...
    @property
    def hardship(self) -> Repository[HardshipProgramme]: ...
    @property
    def referrals(self) -> Repository[Referral]: ...
    @property
    def approvals(self) -> ApprovalRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    def rollback(self) -> None: ...
    def joined(self) -> ArrangementsUnitOfWork:
        """A unit of work inside this one's open transaction, for a use case run as part of
        another (approving a request books the arrangement): its ``commit`` leaves the commit
        to this one, so both commit or roll back together."""
        ...


class IngestedPortfolio(Protocol):
    """The nightly portfolio as the arrangements read it (``adapters.storage.portfolio_reader``)."""

    def account(self, account_id: str) -> IngestedAccount | None: ...
    def contact_promises(self, account_id: str) -> tuple[PromiseToPay, ...]: ...
    def received_payments(self, account_id: str) -> tuple[Payment, ...]: ...
