"""In-memory repositories and unit of work for the arrangement use cases (tests, demos)."""

from __future__ import annotations

import copy
from typing import Any, Self

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
