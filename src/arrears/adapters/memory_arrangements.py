"""In-memory repositories, unit of work and ingested portfolio for the arrangement use cases
(tests, demos). They satisfy ``services.arrangements.ports`` as the SQL adapters do."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Self

from arrears.domain.arrangements.approvals import Approval, ApprovalStatus
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.payments import IngestedAccount, Payment
from arrears.domain.arrangements.promises import PromiseToPay


class _Keyed:
    """Objects by id, listed per account in insertion order."""

    def __init__(self, key: str) -> None:
        self._key = key
        self.items: dict[str, Any] = {}

    def get(self, item_id: str) -> Any:
        return self.items.get(item_id)

    def for_account(self, account_id: str) -> tuple[Any, ...]:
        return tuple(i for i in self.items.values() if i.account_id == account_id)

    def accounts_with(self, status: str) -> tuple[str, ...]:
        return tuple(sorted({i.account_id for i in self.items.values() if i.status == status}))

    def save(self, item: Any) -> None:
        self.items[getattr(item, self._key)] = item

    add = save


class MemoryLedgers(_Keyed):
    def __init__(self) -> None:
        super().__init__("account_id")

    def account_of_payment(self, payment_id: str) -> str | None:
        return next((a for a, ledger in self.items.items() if ledger.entry(payment_id) is not None), None)


class MemoryApprovals(_Keyed):
    def __init__(self) -> None:
        super().__init__("approval_id")

    def decide(self, approval: Approval) -> bool:
        stored = self.items.get(approval.approval_id)
        if stored is None or stored.status is not ApprovalStatus.PENDING:
            return False
        self.items[approval.approval_id] = approval
        return True

    def listed(self, status: ApprovalStatus) -> tuple[Approval, ...]:
        found = [a for a in self.items.values() if a.status is status]
        return tuple(sorted(found, key=lambda a: (a.created_at, a.approval_id), reverse=True))


class MemoryAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


STORES = ("ledgers", "promises", "plans", "settlements", "extensions", "hardship", "referrals", "approvals")


class MemoryArrangementsUnitOfWork:
    """Changes live in the repositories at once; ``rollback`` (or leaving the block without
    ``commit``) restores the state as of the last commit. ``joined()`` is the same unit of
    work whose ``commit`` and block leave everything to this one."""

    def __init__(self) -> None:
        self._holder: MemoryArrangementsUnitOfWork | None = None
        self.ledgers = MemoryLedgers()
        self.promises, self.plans = _Keyed("promise_id"), _Keyed("plan_id")
        self.settlements, self.extensions = _Keyed("settlement_id"), _Keyed("extension_id")
        self.hardship, self.referrals = _Keyed("programme_id"), _Keyed("referral_id")
        self.approvals = MemoryApprovals()
        self.audit = MemoryAudit()
        self.commits = 0
        self._committed = self._snapshot()

    def _snapshot(self) -> list[Any]:
        return [copy.copy(getattr(self, name).items) for name in STORES] + [list(self.audit.entries)]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        if self._holder is None:
            self.rollback()

    def commit(self) -> None:
        if self._holder is None:
            self._committed = self._snapshot()
            self.commits += 1

    def rollback(self) -> None:
        if self._holder is not None:
            raise RuntimeError("a joined unit of work cannot roll back alone")
        *stores, audit = self._committed
        for name, items in zip(STORES, stores, strict=True):
            getattr(self, name).items = copy.copy(items)
        self.audit.entries = list(audit)

    def joined(self) -> MemoryArrangementsUnitOfWork:
        if self._holder is not None:
            return self
        joined = copy.copy(self)  # the same repositories
        joined._holder = self
        return joined


@dataclass
class MemoryPortfolio:
    """Ingested accounts, the promises taken in contacts and the payments received, by account."""

    accounts: dict[str, IngestedAccount] = field(default_factory=dict)
    promises: dict[str, tuple[PromiseToPay, ...]] = field(default_factory=dict)
    payments: dict[str, tuple[Payment, ...]] = field(default_factory=dict)

    def account(self, account_id: str) -> IngestedAccount | None:
        return self.accounts.get(account_id)

    def contact_promises(self, account_id: str) -> tuple[PromiseToPay, ...]:
        return self.promises.get(account_id, ())

    def received_payments(self, account_id: str) -> tuple[Payment, ...]:
        return self.payments.get(account_id, ())
