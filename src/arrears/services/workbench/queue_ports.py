"""What the work queue's use cases need from storage: one ``WorkQueue``, a unit of work (one
transaction per ``with`` block) whose operations are the queue's. Adapters satisfy it
structurally: ``arrears.adapters.storage.queue_repository`` on a database (the holding rule as
one conditional UPDATE, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``ON CONFLICT DO NOTHING``),
``arrears.adapters.memory_queue`` in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from arrears.domain.work_queue import AgedAccount, PlannedCall, SkipReason, WorkItem
from arrears.services.contact_gate_port import GateVerdict
from arrears.services.unit_of_work import UnitOfWork


class Scope(Protocol):
    """The accounts a user may see (``principal.AccountScope``: an agency's users, its accounts)."""

    @property
    def agency_id(self) -> str | None: ...
    def restrict(self, statement: Any, account_id_column: Any) -> Any: ...
    def accounts(self) -> Any: ...
    def works(self) -> Any:
        """The accounts the user's queue hands out (in-house users: in-house accounts only)."""
        ...

    def restrict_work(self, statement: Any, account_id_column: Any) -> Any: ...


class WorkQueue(UnitOfWork, Protocol):
    busy: tuple[type[Exception], ...]  # raised when another writer won the race: try the block again

    def size(self, day: date) -> int: ...
    def built(self, day: date) -> tuple[bool, int | None]:
        """Whether the day's queue was built, and from which version of the day's plan (None: none)."""
        ...

    def plan_version(self, day: date) -> int | None:
        """The version of the day's stored plan (stored again: one more); None without a plan."""
        ...

    def latest_aging_day(self) -> date | None: ...
    def planned_calls(self, day: date) -> list[PlannedCall]:
        """The calls of the day's stored plan, in plan order."""
        ...

    def aged_accounts(self, aging_day: date) -> list[AgedAccount]:
        """The open accounts in the portfolio past due on the aging run of ``aging_day``."""
        ...

    def store(self, day: date, items: Sequence[WorkItem], plan_version: int | None, now: datetime) -> int:
        """Store the day's items unless the day has some (concurrent builders agree: the first
        one's items stay) and record the build; the day's size."""
        ...

    def rebuild_waiting(self, day: date, items: Sequence[WorkItem], plan_version: int, now: datetime) -> int:
        """Replace the day's waiting items (neither held at ``now`` nor done) by ``items`` (an
        account held or worked keeps its item) unless the day was built from ``plan_version``
        already; the day's size."""
        ...

    def skip(self, day: date, account_id: str, *, user_id: str | None, reason: SkipReason, now: datetime,
             rest_until: datetime) -> None:
        """Record a skip of the account's item; it is not handed out before ``rest_until``."""
        ...

    def qualification(self, agent_id: str, agency_id: str) -> tuple[date | None, date | None]:
        """The agent's training and the agency's mandate, valid until."""
        ...

    def release_held(self, user_id: str, day: date, now: datetime) -> list[str]:
        """The items ``user_id`` holds go back to the queue, or are done when a contact was
        logged on them since they were handed out; the accounts put back (not done)."""
        ...

    def due_callbacks(self, user_id: str, scope: Scope, now: datetime) -> list[str]:
        """The accounts of ``user_id``'s open callbacks due by ``now``, earliest first, of the
        accounts their queue hands out, none resting."""
        ...

    def claim_account(self, user_id: str, day: date, account_id: str, now: datetime, lease_until: datetime) -> bool:
        """Hold the account's item of the day (made, as a callback, if the day has none)
        unless someone else holds it."""
        ...

    def claim_top(self, user_id: str, scope: Scope, day: date, now: datetime, *, lease_until: datetime,
                  skip: Sequence[str]) -> dict[str, Any] | None:
        """Hold the free item of the day first in queue order (priority, then item order) among
        the accounts ``scope`` works, none of ``skip`` and none resting at ``now``: its
        account_id, reason, priority and best_hour."""
        ...

    def holds(self, user_id: str, day: date, account_id: str, now: datetime) -> bool:
        """Whether ``user_id`` holds the account's item now."""
        ...

    def held(self, user_id: str, day: date, now: datetime) -> list[str]:
        """The accounts whose items ``user_id`` holds now (one at most, as the queue hands them)."""
        ...

    def release(self, user_id: str, day: date, account_id: str) -> bool:
        """Put back an item ``user_id`` holds; False when they hold none on the account."""
        ...

    def overview(self, user_id: str, scope: Scope, day: date, now: datetime, preview: int) -> dict[str, Any]:
        """What ``user_id`` holds, the first ``preview`` waiting items and the day's counts."""
        ...




# Whether anybody may contact the account now (a call or a text): the gate's verdict on the first
# channel it allows, else a refusal with every channel's reasons.
Reach = Callable[[str, datetime], GateVerdict]
