"""20 collectors asking for "next account" at the same moment never get the same one,
on real SQLite and real PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import Engine
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, FakeGate

from arrears.adapters.clock import FixedClock
from arrears.domain.access import Role
from arrears.services.workbench import queue
from arrears.services.workbench.auth import NewUser, authenticate, create_user
from arrears.services.workbench.context import Workbench


def test_twenty_collectors_at_once_never_get_the_same_account(loaded_db: Engine) -> None:
    engine = loaded_db
    wb = Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))
    collector = authenticate(wb, "collector", PASSWORD)
    for i in range(20):
        create_user(engine, NewUser(f"c{i:02d}", PASSWORD, Role.COLLECTOR, agent_id=collector.agent_id), AS_OF_NOON)
    people = [authenticate(wb, f"c{i:02d}", PASSWORD) for i in range(20)]
    queue.ensure_queue(wb, wb.today())
    for _round in range(2):
        start = Barrier(20)

        def ask(principal, start=start):  # type: ignore[no-untyped-def]
            start.wait()
            return queue.next_account(wb, principal)

        with ThreadPoolExecutor(20) as pool:
            handed = [got["account_id"] for got in pool.map(ask, people) if got]
        assert len(handed) == 20
        assert len(set(handed)) == 20, "an account was handed to two collectors at once"
        assert queue.my_queue(wb, people[0])["counts"]["assigned"] == 20
