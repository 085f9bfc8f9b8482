"""The work queue's rules on the in-memory queue: what a day's queue holds and in which order,
who is handed what, callbacks, putting back, and tenancy. (The same use cases run on SQLite
and PostgreSQL in tests/workbench and tests/security, concurrency included.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arrears.adapters.memory_queue import Callback, MemoryWorkQueue
from arrears.domain.access import Role
from arrears.domain.work_queue import AgedAccount, PlannedCall, QueueReason, ReasonKind, SkipReason
from arrears.services.contact_gate_port import GateVerdict
from arrears.services.workbench.errors import ContactBlocked, InvalidInput, NotEligible, NotFound
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.queue import (
    BuildQueue,
    Release,
    Skip,
    TakeNext,
    build_queue,
    queue_overview,
    release_account,
    skip_account,
    take_next,
)

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 4, tzinfo=UTC)  # noon in Shanghai
LEASE = timedelta(minutes=30)


def _collector(name: str, agency: str | None = None) -> Principal:
    return Principal(name, name, name, Role.COLLECTOR, agency, f"AG-{name}")


def _aged(account_id: str, dpd: int, past_due_cents: int = 100_000, flags: str = "",
          propensity: float | None = None) -> AgedAccount:
    bucket = "M1" if dpd <= 30 else "M2" if dpd <= 60 else "M7+"
    return AgedAccount(account_id, flags, dpd, bucket, past_due_cents, "09:00-12:00", propensity)


def _queue(*accounts: AgedAccount, **given: object) -> MemoryWorkQueue:
    queue = MemoryWorkQueue(aging={DAY - timedelta(days=1): list(accounts)}, **given)  # type: ignore[arg-type]
    for name in ("ann", "bob", "cat"):
        queue.qualifications[f"AG-{name}"] = DAY + timedelta(days=365)
    return queue


def _next(queue: MemoryWorkQueue, who: Principal, now: datetime = NOW) -> str | None:
    got = take_next(queue, TakeNext(who, DAY, now, LEASE))
    return None if got is None else got["account_id"]


def test_without_a_plan_the_queue_orders_by_expected_value_so_early_accounts_that_may_cure_come_first() -> None:
    queue = _queue(_aged("OLD", 700, 9_000_000, propensity=0.9),  # 81,000.00 x a cure chance of 0.5^(700/30)
                   _aged("M1", 12, 300_000, propensity=0.6),  # 1,800.00 x 0.76 = 1,364.14
                   _aged("M2", 45, 300_000, propensity=0.6),  # 1,800.00 x 0.35 = 636.39
                   _aged("NOSCORE", 5, 900_000), _aged("CURRENT", 0, propensity=0.9),
                   _aged("HELD", 60, 900_000, flags="dispute", propensity=0.9))
    assert build_queue(queue, BuildQueue(DAY, NOW)) == 4
    ann = _collector("ann")
    assert _next(queue, ann) == "M1"
    waiting = queue_overview(queue, ann, DAY, NOW)["waiting"]
    assert [w["account_id"] for w in waiting] == ["M2", "OLD", "NOSCORE"]
    reason = QueueReason.read(queue.items[(DAY, "M1")].item.reason)
    assert reason is not None and reason.kind is ReasonKind.EXPECTED_VALUE
    values = reason.values
    assert (values["expected"], values["propensity"], values["cure"]) == ("1,364.14", "0.60", "0.76")


def test_the_days_plan_makes_the_queue_one_item_per_account_in_plan_order() -> None:
    at = datetime(2026, 12, 1, 2, tzinfo=UTC)
    calls = [PlannedCall("B2", 0, at, "M1 first call", "none", "Asia/Shanghai"),
             PlannedCall("B1", 1, at, "promise broken", "plan-6", "America/New_York"),
             PlannedCall("B2", 2, at, "second call", "none", "Asia/Shanghai")]
    queue = _queue(_aged("A1", 90), plans={DAY: calls})
    assert build_queue(queue, BuildQueue(DAY, NOW)) == 2
    first = take_next(queue, TakeNext(_collector("ann"), DAY, NOW, LEASE))
    assert first is not None and (first["account_id"], first["priority"], first["best_hour"]) == ("B2", 3, 10)
    assert QueueReason.read(first["reason"]) == QueueReason(ReasonKind.PLAN, {"text": "M1 first call", "offer": ""})
    assert QueueReason.read(queue.items[(DAY, "B1")].item.reason) == QueueReason(
        ReasonKind.PLAN, {"text": "promise broken", "offer": "plan-6"})
    assert queue.items[(DAY, "B1")].item.best_hour == 21  # 02:00 UTC is 21:00 the evening before in New York


def test_building_a_day_twice_keeps_the_first_queue() -> None:
    queue = _queue(_aged("A1", 10))
    build_queue(queue, BuildQueue(DAY, NOW))
    queue.aging[DAY] = [_aged("A9", 99)]
    assert build_queue(queue, BuildQueue(DAY, NOW)) == 1 and (DAY, "A9") not in queue.items


def test_a_plan_stored_later_the_same_day_rebuilds_the_waiting_part_and_keeps_the_accounts_taken() -> None:
    queue = _queue(_aged("A1", 50, propensity=0.5), _aged("A2", 40, propensity=0.5), _aged("A3", 30, propensity=0.5))
    ann, bob = _collector("ann"), _collector("bob")
    assert _next(queue, ann) == "A3"  # the fallback: the same value, fewer days past due first
    at = datetime(2026, 12, 1, 6, tzinfo=UTC)
    queue.plans[DAY] = [PlannedCall("P1", 0, at, "planned first", "none", "Asia/Shanghai"),
                        PlannedCall("A1", 1, at, "planned second", "none", "Asia/Shanghai")]
    queue.plan_versions[DAY] = 1
    assert _next(queue, bob) == "P1"
    assert set(a for d, a in queue.items if d == DAY) == {"A3", "P1", "A1"}  # A2 was waiting: gone
    assert QueueReason.read(queue.items[(DAY, "A1")].item.reason).kind is ReasonKind.PLAN  # type: ignore[union-attr]
    assert queue.items[(DAY, "A3")].assigned_to == "ann"  # taken: kept, still ann's
    queue.plans[DAY] = [PlannedCall("P2", 0, at, "stored again", "none", "Asia/Shanghai")]
    queue.plan_versions[DAY] = 2
    assert _next(queue, _collector("cat")) == "P2"
    assert set(a for d, a in queue.items if d == DAY) == {"A3", "P1", "P2"}  # P1 was taken by bob: kept


def test_an_account_handed_out_is_not_handed_to_anyone_else_until_its_lease_runs_out() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann, bob, cat = _collector("ann"), _collector("bob"), _collector("cat")
    assert (_next(queue, ann), _next(queue, bob), _next(queue, cat)) == ("A2", "A1", None)
    assert _next(queue, cat, NOW + LEASE + timedelta(seconds=1)) == "A2"


def test_an_account_put_back_without_a_contact_rests_until_the_next_hour_so_two_never_alternate() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann = _collector("ann")
    assert [_next(queue, ann), _next(queue, ann), _next(queue, ann)] == ["A2", "A1", None]
    assert [(a, r) for _d, a, _u, r, _at, _until in queue.skips] == [("A2", SkipReason.NOT_WORKED),
                                                                     ("A1", SkipReason.NOT_WORKED)]
    assert _next(queue, ann, datetime(2026, 12, 1, 5, tzinfo=UTC)) == "A2"  # 13:00 in Shanghai: rested


def test_a_collectors_skip_is_recorded_with_its_reason_and_rests_the_account_for_the_set_time() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann, bob = _collector("ann"), _collector("bob")
    assert _next(queue, ann) == "A2"
    with pytest.raises(InvalidInput):
        skip_account(queue, Skip(ann, DAY, "A2", SkipReason.BLOCKED_NOW, NOW))  # the queue's own reason
    with pytest.raises(NotFound):
        skip_account(queue, Skip(bob, DAY, "A2", SkipReason.CUSTOMER_BUSY, NOW))  # not bob's
    skip_account(queue, Skip(ann, DAY, "A2", SkipReason.CUSTOMER_BUSY, NOW, timedelta(minutes=20)))
    assert queue.skips[-1][1:4] == ("A2", "ann", SkipReason.CUSTOMER_BUSY)
    assert _next(queue, bob) == "A1" and _next(queue, ann) is None
    assert _next(queue, ann, NOW + timedelta(minutes=21)) == "A2"


def _blocked_after(hour: int) -> object:
    """A gate that refuses every call and text from ``hour`` (UTC) on."""
    def reach(_account_id: str, now: datetime) -> GateVerdict:
        if now.hour >= hour:
            return GateVerdict("deny", ("test.quiet_hours",), ("quiet hours",))
        return GateVerdict("allow")
    return reach


def test_the_queue_hands_out_no_account_nobody_may_contact_now_and_says_so() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann = _collector("ann")
    late = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)  # 22:05 in Shanghai
    with pytest.raises(ContactBlocked) as blocked:
        take_next(queue, TakeNext(ann, DAY, late, LEASE), _blocked_after(14))  # type: ignore[arg-type]
    assert blocked.value.verdict.reasons == ("quiet hours",) and "2" in blocked.value.en
    assert all(s.assigned_to is None for s in queue.items.values())
    assert {(a, r) for _d, a, u, r, _at, _until in queue.skips if u is None} == {
        ("A1", SkipReason.BLOCKED_NOW), ("A2", SkipReason.BLOCKED_NOW)}
    after_rest = datetime(2026, 12, 1, 15, 0, 1, tzinfo=UTC)
    got = take_next(queue, TakeNext(ann, DAY, after_rest, LEASE), _blocked_after(16))  # type: ignore[arg-type]
    assert got is not None and got["account_id"] == "A2"  # the rest is over and the gate allows it again


def test_an_in_house_collector_is_never_handed_an_agency_account_nor_its_callback() -> None:
    queue = _queue(_aged("A1", 10), _aged("AGY", 90, 9_000_000, propensity=0.9), agency_of={"AGY": "AGY1"})
    ann = _collector("ann")
    queue.callbacks.append(Callback("ann", "AGY", NOW - timedelta(minutes=1)))
    assert [_next(queue, ann), _next(queue, ann)] == ["A1", None]
    assert "AGY" not in [w["account_id"] for w in queue_overview(queue, ann, DAY, NOW)["waiting"]]


def test_an_account_worked_while_held_is_done_and_not_handed_out_again() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40))
    ann, bob = _collector("ann"), _collector("bob")
    assert _next(queue, ann) == "A2"
    queue.logged.append(("A2", "ann", NOW + timedelta(minutes=5)))
    assert _next(queue, ann, NOW + timedelta(minutes=6)) == "A1"
    assert _next(queue, bob) is None
    assert queue_overview(queue, bob, DAY, NOW)["counts"] == {"open": 0, "assigned": 1, "done": 1}


def test_a_due_callback_comes_before_the_queue_but_not_while_another_collector_holds_it() -> None:
    queue = _queue(_aged("A1", 50), _aged("A2", 40), _aged("A3", 30))
    ann, bob = _collector("ann"), _collector("bob")
    queue.callbacks.append(Callback("bob", "A3", NOW - timedelta(minutes=1)))
    got = take_next(queue, TakeNext(bob, DAY, NOW, LEASE))
    assert got is not None and (got["account_id"], got["callback"]) == ("A3", True)
    queue.callbacks.append(Callback("ann", "A3", NOW - timedelta(minutes=1)))
    assert _next(queue, ann) == "A2"


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
    # the second time A2 is put back and rests, and A1 is not the agency's
    assert [_next(queue, agency) for _ in range(3)] == ["A2", None, None]
    assert queue_overview(queue, agency, DAY, NOW)["counts"] == {"open": 1, "assigned": 0, "done": 0}


def test_a_collector_whose_training_lapsed_is_handed_nothing() -> None:
    queue = _queue(_aged("A1", 50))
    queue.qualifications["AG-ann"] = DAY - timedelta(days=1)
    with pytest.raises(NotEligible) as refused:
        _next(queue, _collector("ann"))
    assert refused.value.rules == ("access.training_lapsed",) and queue.items == {}
