"""The work queue's rules of issue 16 on real SQLite and real PostgreSQL: in-house collectors get
in-house accounts only and an agency's users only that agency's; a plan stored later the same day
rebuilds the waiting part of the day's queue; without a plan the queue runs by expected value
from the scores; the queue hands out no account nobody may call or text now, and says so; a
skip is recorded with its reason and rests the account."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import Engine, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, SHANGHAI, FakeGate

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.adapters.storage.workbench_tables import queue_skips, work_items
from arrears.domain.work_queue import QueueReason, ReasonKind, SkipReason
from arrears.services.plan_store import store_plan
from arrears.services.workbench import queue
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import ContactBlocked


@pytest.fixture
def loaded(loaded_db: Engine) -> tuple[Workbench, FixedClock]:
    engine = loaded_db
    clock = FixedClock(AS_OF_NOON)
    return Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=clock), clock


def _agency_of(wb: Workbench) -> dict[str, str | None]:
    a = t.accounts.c
    with wb.engine.connect() as connection:
        return {r.account_id: r.agency_id or None for r in connection.execute(select(a.account_id, a.agency_id))}


def _taken(wb: Workbench, username: str, times: int) -> list[str]:
    who = authenticate(wb, username, PASSWORD)
    handed = [queue.next_account(wb, who) for _ in range(times)]
    return [got["account_id"] for got in handed if got is not None]


def test_in_house_collectors_never_get_an_agency_account_and_an_agencys_users_only_its_own(
        loaded: tuple[Workbench, FixedClock]) -> None:
    wb, _clock = loaded
    agency_of = _agency_of(wb)
    in_house = _taken(wb, "collector", 15) + _taken(wb, "collector2", 15)
    assert len(in_house) == 30 and all(agency_of[a] is None for a in in_house), in_house
    placed = _taken(wb, "agency1", 5)
    assert placed and all(agency_of[a] == "AG01" for a in placed)
    collector = authenticate(wb, "collector", PASSWORD)
    seen = queue.my_queue(wb, collector, preview=500)
    assert all(agency_of[r["account_id"]] is None for r in seen["waiting"] + seen["held"])
    assert any(agency is not None for agency in agency_of.values())  # the demo does place accounts


def _expected_values(wb: Workbench) -> dict[str, float]:
    """Propensity x amount past due x the chance a payment now still cures the account."""
    s, g = account_scores.c, t.account_aging.c
    with wb.engine.connect() as connection:
        rows = connection.execute(select(s.account_id, s.propensity, g.past_due_cents, g.dpd)
                                  .join(t.account_aging, (g.account_id == s.account_id) & (g.as_of == s.as_of))
                                  .where(s.as_of == AS_OF_NOON.date())).all()
    return {r.account_id: r.propensity * r.past_due_cents * 0.5 ** (r.dpd / 30) for r in rows}


def test_without_a_plan_the_queue_runs_by_expected_value_not_by_days_past_due(
        loaded: tuple[Workbench, FixedClock]) -> None:
    wb, _clock = loaded
    values, agency_of = _expected_values(wb), _agency_of(wb)
    collector = authenticate(wb, "collector", PASSWORD)
    waiting = queue.my_queue(wb, collector, preview=500)["waiting"]
    ids = [r["account_id"] for r in waiting]
    assert ids and all(agency_of[a] is None for a in ids)
    scored = [a for a in ids if a in values]
    assert [int(values[a]) // 100 for a in scored] == sorted((int(values[a]) // 100 for a in scored), reverse=True)
    first = QueueReason.read(waiting[0]["reason"])
    assert first is not None and first.kind is ReasonKind.EXPECTED_VALUE
    with wb.engine.connect() as connection:
        dpd = dict(connection.execute(select(t.account_aging.c.account_id, t.account_aging.c.dpd)
                                      .where(t.account_aging.c.as_of == AS_OF_NOON.date())).all())
    assert dpd[ids[0]] < max(dpd[a] for a in ids), "the oldest account is not served first"


def _plan(accounts: list[str], wb: Workbench) -> pl.DataFrame:
    a, p = t.accounts.c, t.contact_points.c
    with wb.engine.connect() as connection:
        rows = connection.execute(select(a.account_id, a.customer_id, p.contact_point_id)
                                  .join(t.contact_points, p.customer_id == a.customer_id)
                                  .where(a.account_id.in_(accounts), p.kind == "mobile")).all()
    first = {}
    for r in rows:
        first.setdefault(r.account_id, r)
    day = AS_OF_NOON.date().isoformat()
    return pl.DataFrame({
        "account_id": accounts, "customer_id": [first[x].customer_id for x in accounts],
        "contact_point_id": [first[x].contact_point_id for x in accounts], "channel": ["call"] * len(accounts),
        "scheduled_at": [f"{day}T15:00:00+08:00"] * len(accounts), "template": [""] * len(accounts),
        "offer": ["installment"] + ["none"] * (len(accounts) - 1), "reason": ["later plan"] * len(accounts),
        "strategy": ["default"] * len(accounts), "strategy_version": [1] * len(accounts)})


def test_a_plan_stored_later_the_same_day_rebuilds_the_waiting_part_and_keeps_what_was_taken(
        loaded: tuple[Workbench, FixedClock]) -> None:
    wb, clock = loaded
    taken = _taken(wb, "collector", 1)[0]  # the queue was built from the scores
    collector = authenticate(wb, "collector", PASSWORD)
    waiting = [r["account_id"] for r in queue.my_queue(wb, collector, preview=500)["waiting"]]
    planned = waiting[-3:]  # the plan puts the last waiting accounts first
    clock.set(AS_OF_NOON + timedelta(minutes=10))  # the collector still holds ``taken``
    store_plan(wb.engine, wb.today(), _plan(planned, wb))
    got = queue.next_account(wb, authenticate(wb, "collector2", PASSWORD))
    assert got is not None and got["account_id"] == planned[0]
    with wb.engine.connect() as connection:
        items = {r.account_id: r for r in connection.execute(
            select(work_items.c.account_id, work_items.c.reason, work_items.c.status)
            .where(work_items.c.queue_date == wb.today()))}
    assert set(items) == {*planned, taken}, "the waiting accounts the plan does not name left the queue"
    assert QueueReason.read(items[taken].reason).kind is ReasonKind.EXPECTED_VALUE  # type: ignore[union-attr]
    reason = QueueReason.read(items[planned[0]].reason)
    assert reason == QueueReason(ReasonKind.PLAN, {"text": "later plan", "offer": "installment"})
    store_plan(wb.engine, wb.today(), _plan(planned[2:], wb))  # stored again: rebuilt again
    assert queue.ensure_queue(wb, wb.today()) == 3  # the two held accounts and the new plan's one
    with wb.engine.connect() as connection:
        kept = set(connection.execute(select(work_items.c.account_id).where(work_items.c.queue_date == wb.today()))
                   .scalars())
    assert kept == {taken, planned[0], planned[2]}


def test_after_ten_at_night_the_queue_hands_out_nothing_and_says_why(loaded: tuple[Workbench, FixedClock]) -> None:
    wb, clock = loaded
    clock.set(datetime(2026, 11, 29, 22, 5, tzinfo=SHANGHAI))
    collector = authenticate(wb, "collector", PASSWORD)
    with pytest.raises(ContactBlocked) as blocked:
        queue.next_account(wb, collector)
    assert "test.quiet_hours" in blocked.value.verdict.rules
    assert any("免打扰" in r for r in blocked.value.verdict.reasons)
    with wb.engine.connect() as connection:
        skips = connection.execute(select(queue_skips.c.reason, queue_skips.c.user_id, queue_skips.c.rest_until)
                                   ).all()
        held = connection.execute(select(work_items.c.account_id).where(work_items.c.status == "assigned")).all()
    assert len(skips) == queue.TRIED and {s.reason for s in skips} == {SkipReason.BLOCKED_NOW}
    assert all(s.user_id is None and s.rest_until.astimezone(SHANGHAI).hour == 23 for s in skips)
    assert held == []
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))  # the next morning: handed out again
    assert queue.next_account(wb, collector) is not None


def test_a_skip_is_recorded_with_its_reason_and_the_account_rests_so_two_never_alternate(
        loaded: tuple[Workbench, FixedClock]) -> None:
    wb, clock = loaded
    ann, bob = authenticate(wb, "collector", PASSWORD), authenticate(wb, "collector2", PASSWORD)
    first = queue.next_account(wb, ann)
    assert first is not None
    queue.skip(wb, ann, first["account_id"], "customer_busy")
    with wb.engine.connect() as connection:
        row = connection.execute(select(queue_skips)).one()
    assert (row.account_id, row.user_id, row.reason) == (first["account_id"], ann.user_id, "customer_busy")
    assert row.rest_until.astimezone(SHANGHAI) == datetime(2026, 11, 29, 11, 0, tzinfo=SHANGHAI)
    handed = _taken(wb, "collector2", 3) + _taken(wb, "collector", 3)
    assert first["account_id"] not in handed and len(set(handed)) == len(handed)
    clock.set(datetime(2026, 11, 29, 11, 0, 1, tzinfo=SHANGHAI))
    got = queue.next_account(wb, bob)
    assert got is not None and got["account_id"] == first["account_id"]  # rested, and first in line again

