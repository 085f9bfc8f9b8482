"""The work queue's rules on the in-memory queue: what a day's queue holds and in which order,
who is handed what, callbacks, putting back, and tenancy. (The same use cases run on SQLite
and PostgreSQL in tests/workbench and tests/security, concurrency included.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arrears.adapters.memory_queue import Callback, MemoryWorkQueue
from arrears.domain.access import Role
from arrears.domain.work_queue import AgedAccount, PlannedCall
from arrears.services.workbench.errors import NotEligible, NotFound
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue import (
    BuildQueue,
    Release,
    TakeNext,
    build_queue,
    queue_overview,
    release_account,
    take_next,
)

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 4, tzinfo=UTC)  # noon in Shanghai
LEASE = timedelta(minutes=30)


def _collector(name: str, agency: str | None = None) -> Principal:
    return Principal(name, name, name, Role.COLLECTOR, agency, f"AG-{name}")


def _aged(account_id: str, dpd: int, past_due_cents: int = 100_000, flags: str = "") -> AgedAccount:
    return AgedAccount(account_id, flags, dpd, "M1" if dpd <= 30 else "M2", past_due_cents, "09:00-12:00")


def _queue(*accounts: AgedAccount, **given: object) -> MemoryWorkQueue:
    queue = MemoryWorkQueue(aging={DAY - timedelta(days=1): list(accounts)}, **given)  # type: ignore[arg-type]
    for name in ("ann", "bob", "cat"):
        queue.qualifications[f"AG-{name}"] = DAY + timedelta(days=365)
    return queue


def _next(queue: MemoryWorkQueue, who: Principal, now: datetime = NOW) -> str | None:
    got = take_next(queue, TakeNext(who, DAY, now, LEASE))
    return None if got is None else got["account_id"]


def test_without_a_plan_the_queue_is_the_aging_run_highest_days_past_due_first() -> None:
    queue = _queue(_aged("A1", 10), _aged("A2", 45), _aged("A3", 10, 900_000), _aged("A4", 0),
                   _aged("A5", 60, flags="dispute"))
    assert build_queue(queue, BuildQueue(DAY)) == 3
    ann = _collector("ann")
    assert _next(queue, ann) == "A2"
    waiting = queue_overview(queue, ann, DAY, NOW)["waiting"]
    assert [w["account_id"] for w in waiting] == ["A3", "A1"]


def test_the_days_plan_makes_the_queue_one_item_per_account_in_plan_order() -> None:
    at = datetime(2026, 12, 1, 2, tzinfo=UTC)
    calls = [PlannedCall("B2", 0, at, "M1 first call", "none", "Asia/Shanghai"),
             PlannedCall("B1", 1, at, "promise broken", "plan-6", "America/New_York"),
             PlannedCall("B2", 2, at, "second call", "none", "Asia/Shanghai")]
    queue = _queue(_aged("A1", 90), plans={DAY: calls})
    assert build_queue(queue, BuildQueue(DAY)) == 2
    first = take_next(queue, TakeNext(_collector("ann"), DAY, NOW, LEASE))
    assert first == {"account_id": "B2", "reason": "计划 plan: M1 first call", "priority": 3, "best_hour": 10,
                     "callback": False}
    assert queue.items[(DAY, "B1")].item.reason == "计划 plan: promise broken · 方案 plan-6"
    assert queue.items[(DAY, "B1")].item.best_hour == 21  # 02:00 UTC is 21:00 the evening before in New York


def test_building_a_day_twice_keeps_the_first_queue() -> None:
    queue = _queue(_aged("A1", 10))
    build_queue(queue, BuildQueue(DAY))
    queue.aging[DAY] = [_aged("A9", 99)]
    assert build_queue(queue, BuildQueue(DAY)) == 1 and (DAY, "A9") not in queue.items


def test_an_account_handed_out_is_not_handed_to_anyone_else_until_its_lease_runs_out() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann, bob, cat = _collector("ann"), _collector("bob"), _collector("cat")
    assert (_next(queue, ann), _next(queue, bob), _next(queue, cat)) == ("A1", "A2", None)
    assert _next(queue, cat, NOW + LEASE + timedelta(seconds=1)) == "A1"


def test_asking_for_the_next_account_puts_back_the_one_held_and_skips_it_once() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann = _collector("ann")
    assert [_next(queue, ann), _next(queue, ann), _next(queue, ann)] == ["A1", "A2", "A1"]


def test_an_account_worked_while_held_is_done_and_not_handed_out_again() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann, bob = _collector("ann"), _collector("bob")
    _next(queue, ann)
    queue.logged.append(("A1", "ann", NOW + timedelta(minutes=5)))
    assert _next(queue, ann, NOW + timedelta(minutes=6)) == "A2"
    assert _next(queue, bob) is None
    assert queue_overview(queue, bob, DAY, NOW)["counts"] == {"open": 0, "assigned": 1, "done": 1}


def test_a_due_callback_comes_before_the_queue_but_not_while_another_collector_holds_it() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40), _aged("A3", 30))
    ann, bob = _collector("ann"), _collector("bob")
    queue.callbacks.append(Callback("bob", "A3", NOW - timedelta(minutes=1)))
    got = take_next(queue, TakeNext(bob, DAY, NOW, LEASE))
    assert got is not None and (got["account_id"], got["callback"]) == ("A3", True)
    queue.callbacks.append(Callback("ann", "A3", NOW - timedelta(minutes=1)))
    assert _next(queue, ann) == "A1"


def test_a_due_callback_on_an_account_outside_the_queue_makes_it_an_item() -> None:
    queue = _queue(_aged("A1", 50))
    queue.callbacks.append(Callback("ann", "Z9", NOW))
    assert _next(queue, _collector("ann")) == "Z9" and queue.items[(DAY, "Z9")].item.priority == 0


def test_releasing_puts_the_account_back_and_only_its_holder_may() -> None:
    queue = _queue(_aged("A1", 50))
    ann, bob = _collector("ann"), _collector("bob")
    _next(queue, ann)
    with pytest.raises(NotFound):
        release_account(queue, Release(bob, DAY, "A1"))
    release_account(queue, Release(ann, DAY, "A1"))
    assert _next(queue, bob) == "A1"


def test_an_agency_collector_is_handed_only_the_agencys_accounts() -> None:
    queue = _queue(_aged("A1", 90), _aged("A2", 10), agency_of={"A2": "AGY1"})
    queue.qualifications["AGY1"] = DAY
    agency = Principal("dan", "dan", "dan", Role.COLLECTOR, "AGY1", "AG-ann")
    # the second time A2 is put back and skipped, and A1 is not the agency's
    assert [_next(queue, agency) for _ in range(3)] == ["A2", None, "A2"]
    assert queue_overview(queue, agency, DAY, NOW)["counts"] == {"open": 0, "assigned": 1, "done": 0}


def test_a_collector_whose_training_lapsed_is_handed_nothing() -> None:
    queue = _queue(_aged("A1", 50))
    queue.qualifications["AG-ann"] = DAY - timedelta(days=1)
    with pytest.raises(NotEligible) as refused:
        _next(queue, _collector("ann"))
    assert refused.value.rules == ("access.training_lapsed",) and queue.items == {}
