"""In-memory repositories and unit of work for the arrangement use cases (tests, demos)."""

from __future__ import annotations

import copy
from typing import Any, Self

from arrears.domain.arrangements.approval_requests import Approval, ApprovalStatus
from arrears.domain.arrangements.payments import AccountLedger
from arrears.services.arrangement_ports import AuditEntry


class _Keyed:
    """Objects by id, listed per account in insertion order."""

    def __init__(self, key: str) -> None:
        self._key = key
        self.items: dict[str, Any] = {}

    def get(self, item_id: str) -> Any:
        return self.items.get(item_id)

    def for_account(self, account_id: str) -> tuple[Any, ...]:
        return tuple(i for i in self.items.values() if i.account_id == account_id)

    def save(self, item: Any) -> None:
        self.items[getattr(item, self._key)] = item

    add = save


class MemoryLedgers:
    def __init__(self) -> None:
        self.items: dict[str, AccountLedger] = {}

    def get(self, account_id: str) -> AccountLedger | None:
        return self.items.get(account_id)

    def save(self, ledger: AccountLedger) -> None:
        self.items[ledger.account_id] = ledger

    def account_of_payment(self, payment_id: str) -> str | None:
        return next(
            (a for a, ledger in self.items.items() if ledger.entry(payment_id) is not None), None
        )


class MemoryApprovals:
    def __init__(self) -> None:
        self.items: dict[str, Approval] = {}

    def get(self, approval_id: str) -> Approval | None:
        return self.items.get(approval_id)

    def add(self, approval: Approval) -> None:
        self.items[approval.approval_id] = approval

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


class MemoryArrangementsUnitOfWork:
    """Changes live in the repositories at once; ``rollback`` (or leaving the block without
    ``commit``) restores the state as of the last commit."""

    def __init__(self) -> None:
        self.ledgers = MemoryLedgers()
        self.promises: _Keyed = _Keyed("promise_id")
        self.plans: _Keyed = _Keyed("plan_id")
        self.settlements: _Keyed = _Keyed("settlement_id")
        self.extensions: _Keyed = _Keyed("extension_id")
        self.hardship: _Keyed = _Keyed("programme_id")
        self.referrals: _Keyed = _Keyed("referral_id")
        self.approvals = MemoryApprovals()
        self.audit = MemoryAudit()
        self.commits = 0
        self._committed = self._snapshot()

    def _stores(self) -> list[Any]:
        return [
            self.ledgers,
            self.promises,
            self.plans,
            self.settlements,
            self.extensions,
            self.hardship,
            self.referrals,
            self.approvals,
        ]

    def _snapshot(self) -> list[Any]:
        return [copy.copy(s.items) for s in self._stores()] + [list(self.audit.entries)]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self._committed = self._snapshot()
        self.commits += 1

    def rollback(self) -> None:
        *stores, audit = self._committed
        for store, items in zip(self._stores(), stores, strict=True):
            store.items = copy.copy(items)
        self.audit.entries = list(audit)

    def joined(self) -> _JoinedMemoryUnitOfWork:
        return _JoinedMemoryUnitOfWork(self)


class _JoinedMemoryUnitOfWork:
    """The same repositories inside the holder's open block: ``commit`` and leaving the block
    leave everything to the holder, which commits or rolls back all of it."""

    def __init__(self, holder: MemoryArrangementsUnitOfWork) -> None:
        self._holder = holder
        for name in ("ledgers", "promises", "plans", "settlements", "extensions", "hardship", "referrals",
                     "approvals", "audit"):
            setattr(self, name, getattr(holder, name))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def commit(self) -> None:
        """The holder commits."""

    def rollback(self) -> None:
        raise RuntimeError("a joined unit of work cannot roll back alone")

    def joined(self) -> _JoinedMemoryUnitOfWork:
        return self
