"""The ``ReviewRetention`` command and its handler: every month partition of the contact history,
the attempt ledger and the decision audit judged by ``domain.retention``, and (with ``apply``)
the months that may go dropped.

Each month is reviewed in a transaction of its own (its reads only), and a month that may go is
dropped at once in a short transaction of its own, before the next month is read: the drop's
exclusive lock on the table lasts milliseconds, never the length of the review. What is read is
only what can change the verdict: a month younger than the shortest minimum is kept without
reading it, and the last activity of the accounts (US) is read only for a month that every other
rule would let go.

The decision audit is a hash chain: its months go only oldest first, as a run (a month kept
stops the run, so the chain never has a hole), and only when every row of the month is sealed
and older, by id, than every row kept (``MonthFacts.chain_prefix``). The storage records where the
chain starts again (the last dropped row) before it drops a month of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from arrears.domain.reasons import Reason
from arrears.domain.retention import (
    AFTER_LAST_ACTIVITY,
    MonthFacts,
    MonthVerdict,
    judge_month,
    kept_as_young,
    younger_than_every_minimum,
)
from arrears.services.unit_of_work import UnitOfWork

CHAINED = frozenset({"compliance_decisions"})


class RetentionStore(Protocol):
    def partitioned(self) -> bool:
        """Whether the storage keeps months in partitions (PostgreSQL); else nothing is dropped."""
        ...

    def months(self, table: str) -> list[date]:
        """The months of ``table`` that have a partition of their own, oldest first."""
        ...

    def rows_by_jurisdiction(self, table: str, month: date) -> Mapping[str, int]:
        """The month's rows by the jurisdiction of their customer."""
        ...

    def last_activity(self, table: str, month: date, jurisdiction: str) -> date | None:
        """The latest contact or attempt, any month, of the accounts of ``jurisdiction`` in the month."""
        ...

    def chain_prefix(self, table: str, month: date) -> bool:
        """A chained log's month: every row sealed and older (by id) than every row kept."""
        ...

    def drop(self, table: str, month: date, now: datetime) -> None:
        """Drop the month's partition (after recording the chain's new start for a chained log)."""
        ...


class RetentionUnitOfWork(UnitOfWork, Protocol):
    @property
    def retention(self) -> RetentionStore: ...


@dataclass(frozen=True, slots=True)
class ReviewRetention:
    """Judge every month on ``as_of``; with ``apply``, drop those that may go (at ``now``)."""

    as_of: date
    now: datetime
    apply: bool = False


@dataclass(frozen=True, slots=True)
class ReviewedMonth:
    table: str
    month: date
    rows: int | None  # None: not counted (a month too young to go is not read)
    verdict: MonthVerdict
    dropped: bool = False


TABLES = ("contacts", "contact_attempts", "compliance_decisions")
_CHAIN_KEPT = Reason("RETENTION-CHAIN", "审计哈希链：较早的月份保留或未封存，此月不能先删除",
                     "audit hash chain: an older month is kept or this one is not sealed and older than all "
                     "kept rows, so it cannot go first")


def _chain_kept(month: date) -> MonthVerdict:
    return MonthVerdict(month, False, _CHAIN_KEPT)


def judge_months(table: str, months: list[MonthFacts], as_of: date) -> list[tuple[MonthFacts, MonthVerdict]]:
    judged, run_open = [], True
    for facts in months:
        verdict = judge_month(facts, as_of)
        if table in CHAINED and verdict.may_drop and not (run_open and facts.chain_prefix):
            verdict = _chain_kept(facts.month)
        run_open = run_open and verdict.may_drop
        judged.append((facts, verdict))
    return judged


def judge_stored_month(store: RetentionStore, table: str, month: date, as_of: date,
                       run_open: bool) -> tuple[MonthVerdict, int | None]:
    """The month's verdict and its rows, reading only what can change the verdict: the same verdict
    as ``judge_months`` on all its facts (each fact read here can only keep a month)."""
    if younger_than_every_minimum(month, as_of):
        return kept_as_young(month), None
    rows = store.rows_by_jurisdiction(table, month)
    verdict = judge_month(MonthFacts(month, rows, {}), as_of)
    if verdict.may_drop:
        last = {j: store.last_activity(table, month, j) for j in sorted(AFTER_LAST_ACTIVITY) if rows.get(j)}
        verdict = judge_month(MonthFacts(month, rows, last), as_of) if last else verdict
    if table in CHAINED and verdict.may_drop and not (run_open and store.chain_prefix(table, month)):
        verdict = _chain_kept(month)
    return verdict, sum(rows.values())


def review_retention(uow: RetentionUnitOfWork, command: ReviewRetention) -> list[ReviewedMonth]:
    reviewed: list[ReviewedMonth] = []
    with uow:
        if not uow.retention.partitioned():
            return reviewed
        for table in TABLES:
            run_open = True
            for month in uow.retention.months(table):
                verdict, rows = judge_stored_month(uow.retention, table, month, command.as_of, run_open)
                uow.commit()  # the month's reads end here: no lock of theirs is held by a drop
                drop = command.apply and verdict.may_drop
                if drop:
                    uow.retention.drop(table, month, command.now)
                    uow.commit()  # the drop's own transaction: its table's lock is released at once
                run_open = run_open and verdict.may_drop
                reviewed.append(ReviewedMonth(table, month, rows, verdict, drop))
    return reviewed
