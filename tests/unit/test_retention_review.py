"""The retention review reads only what can change a month's verdict: a month younger than the
shortest minimum is kept unread, the US accounts' last activity is read only for a month every
other rule lets go, and a drop commits before the next month is read. What it drops is what
judging every month on all its facts would drop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Self

import pytest

from arrears.domain.retention import MonthFacts
from arrears.services.retention import ReviewRetention, review_retention
from arrears.services.retention.review import TABLES, judge_months

AS_OF = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@dataclass
class MemoryRetention:
    """Month facts in memory; every read and every commit is written to ``log``."""

    facts: Mapping[str, list[MonthFacts]]
    log: list[tuple[str, str, date | None]] = field(default_factory=list)

    def partitioned(self) -> bool:
        return True

    def months(self, table: str) -> list[date]:
        return [f.month for f in self.facts.get(table, [])]

    def _month(self, table: str, month: date) -> MonthFacts:
        return next(f for f in self.facts[table] if f.month == month)

    def rows_by_jurisdiction(self, table: str, month: date) -> Mapping[str, int]:
        self.log.append(("rows", table, month))
        return self._month(table, month).rows_by_jurisdiction

    def last_activity(self, table: str, month: date, jurisdiction: str) -> date | None:
        self.log.append(("last activity", table, month))
        return self._month(table, month).last_activity.get(jurisdiction)

    def chain_prefix(self, table: str, month: date) -> bool:
        self.log.append(("chain", table, month))
        return self._month(table, month).chain_prefix

    def drop(self, table: str, month: date, now: datetime) -> None:
        assert now == NOW
        self.log.append(("drop", table, month))


@dataclass
class MemoryUnitOfWork:
    retention: MemoryRetention

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def commit(self) -> None:
        self.retention.log.append(("commit", "", None))


def _month(year: int, month: int, rows: Mapping[str, int], last: date | None = None,
           chain_prefix: bool = True) -> MonthFacts:
    return MonthFacts(date(year, month, 1), rows, {"US": last} if last else {}, chain_prefix)


BOOK = [
    _month(2022, 3, {"CN": 5}),  # past 2 years: goes
    _month(2022, 4, {"CN": 2, "US": 1}, last=date(2025, 6, 10)),  # a US debt worked 18 months ago: kept
    _month(2022, 5, {"US": 4}, last=date(2023, 1, 2)),  # quiet for almost 4 years: goes
    _month(2022, 6, {"CN": 1, "UK": 1}),  # the UK's 6 years: kept
    _month(2024, 2, {"US": 3}, last=date(2024, 2, 20)),  # past 2 years, not 3: kept without its last activity
    _month(2024, 10, {"CN": 7}),  # just past 2 years
    _month(2024, 12, {"CN": 7}),  # not past 2 years: unread
    _month(2026, 12, {}),  # this month, empty: unread, kept
    _month(2027, 1, {}),  # made ahead
]


def _review(book: Mapping[str, list[MonthFacts]], apply: bool = True) -> tuple[MemoryRetention, dict]:
    store = MemoryRetention(book)
    reviewed = review_retention(MemoryUnitOfWork(store), ReviewRetention(AS_OF, NOW, apply))
    return store, {(m.table, m.month): m for m in reviewed}


def test_a_month_younger_than_the_shortest_minimum_is_kept_without_reading_it() -> None:
    store, reviewed = _review({"contacts": BOOK})
    for young in (date(2024, 12, 1), date(2026, 12, 1), date(2027, 1, 1)):
        month = reviewed[("contacts", young)]
        assert month.verdict.reason.rule_id == "RETENTION-YOUNG" and not month.dropped and month.rows is None
        assert not [entry for entry in store.log if entry[2] == young]
    assert ("rows", "contacts", date(2024, 10, 1)) in store.log  # a month just past 2 years is read


def test_the_last_activity_is_read_only_for_a_us_month_past_three_years_that_nothing_else_keeps() -> None:
    store, _ = _review({"contacts": BOOK})
    assert {entry[2] for entry in store.log if entry[0] == "last activity"} == {date(2022, 4, 1), date(2022, 5, 1)}


def test_each_drop_commits_before_the_next_month_is_read() -> None:
    store, _ = _review({"contacts": BOOK})
    drops = [i for i, entry in enumerate(store.log) if entry[0] == "drop"]
    assert len(drops) == 3
    for i in drops:
        assert store.log[i - 1][0] == "commit"  # the month's reads ended before its drop
        assert store.log[i + 1][0] == "commit"  # and the drop committed before anything else


@pytest.mark.parametrize("chained", [(True, True, True), (True, False, True), (False, True, True)])
def test_the_review_drops_what_judging_every_month_on_all_its_facts_drops(chained: tuple[bool, ...]) -> None:
    decisions = [_month(2019, m, {"CN": 1}, chain_prefix=sealed) for m, sealed in zip((1, 2, 3), chained, strict=True)]
    book = {"contacts": BOOK, "contact_attempts": BOOK[::2], "compliance_decisions": [*decisions, *BOOK[5:]]}
    store, reviewed = _review(book)
    expected = {(table, facts.month) for table in TABLES
                for facts, verdict in judge_months(table, book[table], AS_OF) if verdict.may_drop}
    assert {(table, month) for _, table, month in store.log if _ == "drop"} == expected
    assert {key for key, month in reviewed.items() if month.dropped} == expected
    assert all(reviewed[key].verdict.may_drop == (key in expected) for key in reviewed)


def test_without_apply_nothing_is_dropped() -> None:
    store, reviewed = _review({"contacts": BOOK}, apply=False)
    assert not [entry for entry in store.log if entry[0] == "drop"]
    assert sum(month.verdict.may_drop for month in reviewed.values()) == 3
