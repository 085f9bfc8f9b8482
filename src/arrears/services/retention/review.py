"""The ``ReviewRetention`` command and its handler: every month partition of the contact history,
the attempt ledger and the decision audit judged by ``domain.retention``, and (with ``apply``)
the months that may go dropped, all in one transaction.

The decision audit is a hash chain: its months go only oldest first, as a run (a month kept
stops the run, so the chain never has a hole), and only when every row of the month is sealed
and older, by id, than every row kept (``MonthFacts.chain_prefix``). The storage records where the
chain starts again (the last dropped row) before it drops a month of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from arrears.domain.reasons import Reason
from arrears.domain.retention import MonthFacts, MonthVerdict, judge_month
from arrears.services.unit_of_work import UnitOfWork

CHAINED = frozenset({"compliance_decisions"})


class RetentionStore(Protocol):
    def partitioned(self) -> bool:
        """Whether the storage keeps months in partitions (PostgreSQL); else nothing is dropped."""
        ...

    def months(self, table: str) -> list[MonthFacts]:
        """The facts of each month partition of ``table``, oldest first."""
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
    rows: int
    verdict: MonthVerdict
    dropped: bool = False


TABLES = ("contacts", "contact_attempts", "compliance_decisions")
_CHAIN_KEPT = Reason("RETENTION-CHAIN", "审计哈希链：较早的月份保留或未封存，此月不能先删除",
                     "audit hash chain: an older month is kept or this one is not sealed and older than all "
                     "kept rows, so it cannot go first")


def judge_months(table: str, months: list[MonthFacts], as_of: date) -> list[tuple[MonthFacts, MonthVerdict]]:
    judged, run_open = [], True
    for facts in months:
        verdict = judge_month(facts, as_of)
        if table in CHAINED and verdict.may_drop and not (run_open and facts.chain_prefix):
            verdict = MonthVerdict(facts.month, False, _CHAIN_KEPT)
        run_open = run_open and verdict.may_drop
        judged.append((facts, verdict))
    return judged


def review_retention(uow: RetentionUnitOfWork, command: ReviewRetention) -> list[ReviewedMonth]:
    reviewed: list[ReviewedMonth] = []
    with uow:
        if not uow.retention.partitioned():
            return reviewed
        for table in TABLES:
            for facts, verdict in judge_months(table, uow.retention.months(table), command.as_of):
                drop = command.apply and verdict.may_drop
                if drop:
                    uow.retention.drop(table, facts.month, command.now)
                reviewed.append(ReviewedMonth(table, facts.month, sum(facts.rows_by_jurisdiction.values()),
                                              verdict, drop))
        uow.commit()
    return reviewed
