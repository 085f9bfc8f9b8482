"""The work queue under many collectors at once (issue 12), on real SQLite and PostgreSQL: the
first "next account" requests of a day build the queue together without an error, no account
is ever held by two collectors, and a due callback never hands out an account another
collector holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from security_support import api, at_once, collectors, statuses
from sqlalchemy import Engine, func, or_, select
from workbench_support import AS_OF_NOON, CIPHER, FakeGate

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import users, work_items
from arrears.services.workbench import queue
from arrears.services.workbench.context import Workbench

w = work_items.c


def workbench(engine: Engine) -> Workbench:
    return Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))


def next_account(client: Any, headers: dict[str, str]) -> Any:
    return client.post("/v1/queue/next", headers=headers)


def holders(engine: Engine, wb: Workbench) -> dict[str, list[str]]:
    """Who holds each account of today's queue now (assigned, lease running)."""
    held: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for account_id, user_id in connection.execute(select(w.account_id, w.assigned_to).where(
                w.queue_date == wb.today(), w.status == "assigned", w.lease_until >= wb.now())):
            held.setdefault(account_id, []).append(user_id)
    return held


def callback_now(client: Any, headers: dict[str, str], account_id: str, wb: Workbench) -> None:
    made = client.post(f"/v1/accounts/{account_id}/follow-ups", headers=headers, json={
        "kind": "callback", "due_at": wb.now().isoformat(), "note": "客户要求回电"})  # due now
    assert made.status_code == 201, made.text


def test_twenty_collectors_asking_for_their_first_account_of_the_day_at_once_get_twenty_different_ones(
    portfolio: Engine,
) -> None:
    wb = workbench(portfolio)
    people = collectors(wb, 20)
    with api(wb) as client:
        for _round in range(2):
            replies = at_once(lambda headers: next_account(client, headers), people)
            assert statuses(replies) == {200: 20}, [r.text for r in replies if r.status_code != 200][:2]
            handed = [r.json()["account_id"] for r in replies]
            assert len(set(handed)) == 20, "an account was handed to two collectors at once"
            assert all(len(users) == 1 for users in holders(portfolio, wb).values())
            assert len(holders(portfolio, wb)) == 20
    with portfolio.connect() as connection:
        items, accounts = connection.execute(select(func.count(), func.count(w.account_id.distinct())).where(
            w.queue_date == wb.today())).one()
    assert items == accounts == queue.ensure_queue(wb, wb.today())


def test_a_due_callback_is_not_handed_out_while_another_collector_holds_the_account(portfolio: Engine) -> None:
    wb = workbench(portfolio)
    holder, caller = collectors(wb, 2)
    with api(wb) as client:
        taken = next_account(client, holder).json()["account_id"]
        callback_now(client, caller, taken, wb)
        got = next_account(client, caller)
        assert got.status_code == 200 and got.json()["account_id"] != taken and got.json()["callback"] is False
        assert holders(portfolio, wb)[taken] == [_user_id(portfolio, "c00")]  # still the first collector's
        client.post(f"/v1/queue/{taken}/release", headers=holder)
        again = next_account(client, caller).json()
        assert (again["account_id"], again["callback"]) == (taken, True)


def test_twenty_collectors_with_a_callback_due_on_the_same_account_never_hold_it_together(
    portfolio: Engine,
) -> None:
    wb = workbench(portfolio)
    people = collectors(wb, 20)
    queue.ensure_queue(wb, wb.today())
    a = t.accounts.c
    with portfolio.connect() as connection:  # an account that is not in today's queue
        outside = connection.execute(select(a.account_id).where(
            or_(a.agency_id.is_(None), a.agency_id == ""),
            a.account_id.not_in(select(w.account_id).where(w.queue_date == wb.today())))
            .order_by(a.account_id).limit(1)).scalar_one()
    with api(wb) as client:
        for headers in people:
            callback_now(client, headers, outside, wb)
        replies = at_once(lambda headers: next_account(client, headers), people)
    assert statuses(replies) == {200: 20}
    handed = [r.json()["account_id"] for r in replies]
    assert handed.count(outside) == 1 and len(set(handed)) == 20
    assert [r.json()["callback"] for r in replies if r.json()["account_id"] == outside] == [True]
    assert len(holders(portfolio, wb)[outside]) == 1


def test_a_callback_on_an_account_i_worked_today_still_comes_back_to_me(portfolio: Engine) -> None:
    wb = workbench(portfolio)
    (me,) = collectors(wb, 1)
    with api(wb) as client:
        worked = next_account(client, me).json()["account_id"]
        logged = client.post(f"/v1/accounts/{worked}/contacts", headers=me, json={
            "channel": "visit", "outcome": "no_answer",
            "callback_at": (wb.now() + timedelta(hours=1)).isoformat()})
        assert logged.status_code == 201, logged.text
        assert next_account(client, me).json()["account_id"] != worked  # the worked one is done
        wb.clock.set(wb.now() + timedelta(hours=1, minutes=1))  # type: ignore[attr-defined]
        back = next_account(client, me).json()
    assert (back["account_id"], back["callback"]) == (worked, True)


def _user_id(engine: Engine, username: str) -> str:
    with engine.connect() as connection:
        return connection.execute(select(users.c.user_id).where(users.c.username == username)).scalar_one()
