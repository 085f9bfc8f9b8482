"""Allocation use cases: the nightly (or on demand) allocation, and recalling or moving accounts by
hand. Each runs in one unit of work: the recalls, the placements, ``accounts.agency_id`` and the
audit commit together, so an agency's access changes at the commit, never half."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from arrears.domain.allocation import (
    AccountToPlace,
    ActivePlacement,
    AgencyTerms,
    Decision,
    RecallReason,
    allocate,
    due_recalls,
)
from arrears.services.allocation.rules import AllocationRules
from arrears.services.unit_of_work import UnitOfWork


class Placements(Protocol):
    def listing(self, on: date, *, agency: str | None, bucket: str | None, limit: int) -> list[dict[str, object]]:
        ...
    def accounts_to_place(self, on: date) -> list[AccountToPlace]: ...
    def agency_terms(self, configured: dict[str, tuple[int, int]], on: date) -> dict[str, AgencyTerms]: ...
    def active(self, account_ids: Sequence[str] | None = None) -> list[ActivePlacement]: ...
    def place(self, decisions: Sequence[Decision], *, on: date, by: str, now: datetime) -> int: ...
    def recall(self, recalls: Sequence[tuple[ActivePlacement, RecallReason]], *, on: date, by: str, note: str,
               now: datetime) -> int: ...


class AllocationUnitOfWork(UnitOfWork, Protocol):
    @property
    def placements(self) -> Placements: ...


class AllocationError(ValueError):
    """A request allocation cannot carry out; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Allocate:
    on: date
    by: str
    rules: AllocationRules
    dry_run: bool = False


@dataclass
class AllocationReport:
    recalled: Counter[str] = field(default_factory=Counter)  # reason -> accounts
    placed: Counter[str] = field(default_factory=Counter)  # agency -> accounts
    in_house: Counter[str] = field(default_factory=Counter)  # rule -> accounts decided in house
    unmatched: int = 0
    examples: list[Decision] = field(default_factory=list)  # a few decisions, with their reasons
    committed: bool = False


def _configured(rules: AllocationRules) -> dict[str, tuple[int, int]]:
    return {agency: (terms.capacity, terms.placement_days) for agency, terms in rules.agencies.items()}


def allocate_accounts(uow: AllocationUnitOfWork, command: Allocate, now: datetime) -> AllocationReport:
    """Recall what is due (period over, mandate ended), then place the unplaced delinquent accounts
    by the rules. ``dry_run`` decides and reports but changes nothing."""
    report = AllocationReport()
    with uow:
        repo = uow.placements
        due = due_recalls(repo.active(), repo.agency_terms(_configured(command.rules), command.on), command.on)
        repo.recall(due, on=command.on, by=command.by, note="automatic", now=now)
        report.recalled.update(reason.value for _, reason in due)
        result = allocate(repo.accounts_to_place(command.on), command.rules.rules,
                          repo.agency_terms(_configured(command.rules), command.on), command.on)
        repo.place(result.placements, on=command.on, by=command.by, now=now)
        report.placed.update(d.agency_id for d in result.placements if d.agency_id)
        report.in_house.update(d.rule for d in result.in_house)
        report.unmatched = result.unmatched
        report.examples = (result.placements[:5] + result.in_house[:5])
        if not command.dry_run:
            uow.commit()
            report.committed = True
    return report


@dataclass(frozen=True)
class ByHand:
    """Accounts an operator recalls or places by hand: on which day, who, and the reason given."""

    account_ids: tuple[str, ...]
    on: date
    by: str
    note: str


@dataclass(frozen=True)
class Recall(ByHand):
    """Bring the accounts back in house (退案)."""


def recall_accounts(uow: AllocationUnitOfWork, command: Recall, now: datetime) -> int:
    """Bring placed accounts back in house by hand (退案), with a reason; every account must be placed."""
    if not command.note.strip():
        raise AllocationError("退案须说明原因", "a recall needs a reason")
    with uow:
        active = uow.placements.active(command.account_ids)
        _all_placed(command.account_ids, active)
        count = uow.placements.recall([(p, RecallReason.BY_HAND) for p in active], on=command.on, by=command.by,
                                      note=command.note.strip(), now=now)
        uow.commit()
    return count


def _all_placed(wanted: Sequence[str], active: Sequence[ActivePlacement]) -> None:
    missing = sorted(set(wanted) - {p.account_id for p in active})
    if missing:
        shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        raise AllocationError(f"以下账户没有在委案中：{shown}", f"not placed with an agency: {shown}")


@dataclass(frozen=True)
class Move(ByHand):
    """Place the accounts with ``to_agency`` (分案/调案), under the allocation rules."""

    to_agency: str
    rules: AllocationRules


def move_accounts(uow: AllocationUnitOfWork, command: Move, now: datetime) -> int:
    """Place accounts with an agency by hand (分案/调案): those placed elsewhere are recalled first
    (reason ``moved``); the agency needs a valid mandate and room for them all."""
    if not command.note.strip():
        raise AllocationError("分案/调案须说明原因", "a placement by hand needs a reason")
    with uow:
        repo = uow.placements
        terms = repo.agency_terms(_configured(command.rules), command.on).get(command.to_agency)
        _check_agency(command, terms)
        assert terms is not None
        current = repo.active(command.account_ids)
        moving = [p for p in current if p.agency_id != command.to_agency]
        staying = {p.account_id for p in current if p.agency_id == command.to_agency}
        new = [a for a in dict.fromkeys(command.account_ids) if a not in staying]
        if terms.active - len(staying) + len(new) > terms.capacity:
            raise AllocationError(f"{command.to_agency} 容量不足（上限 {terms.capacity}）",
                                  f"{command.to_agency} has no room for them (capacity {terms.capacity})")
        repo.recall([(p, RecallReason.MOVED) for p in moving], on=command.on, by=command.by,
                    note=command.note.strip(), now=now)
        until = min(command.on + timedelta(days=terms.placement_days - 1), terms.authorized_until or command.on)
        decisions = [Decision(a, command.to_agency, "by_hand", f"人工分案：{command.note.strip()}",
                              f"placed by hand: {command.note.strip()}", until) for a in new]
        placed = repo.place(decisions, on=command.on, by=command.by, now=now)
        uow.commit()
    return placed


def _check_agency(command: Move, terms: AgencyTerms | None) -> None:
    if terms is None:
        raise AllocationError(f"分案规则中没有机构 {command.to_agency} 的容量与委案期",
                              f"the allocation rules give {command.to_agency} no capacity and period")
    if not terms.mandate_valid(command.on):
        raise AllocationError(f"{command.to_agency} 的委托授权已到期或未知",
                              f"{command.to_agency} holds no valid mandate")


def placement_listing(uow: AllocationUnitOfWork, on: date, *, agency: str | None = None, bucket: str | None = None,
                      limit: int = 500) -> list[dict[str, object]]:
    """The delinquent accounts and who works them, for the placement page."""
    with uow:
        return uow.placements.listing(on, agency=agency, bucket=bucket, limit=limit)
