"""The dialer's hand-out and events on real SQLite and PostgreSQL with the real contact gate:
each collector of several dialing at once gets a different account, and an ending event writes
the outcome in the ledger and the event together."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import Engine, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.dialer_tables import dialer_events
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.domain.access import Role
from arrears.services.contact_gate import SqlContactGate
from arrears.services.dialer.calls import DialerEvent, NextCall, next_call, record_event
from arrears.services.workbench.auth import NewUser, authenticate, create_user
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import Conflict


def test_dialers_for_several_collectors_at_once_get_different_accounts(loaded_db: Engine) -> None:
    engine = loaded_db
    wb = Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=FixedClock(AS_OF_NOON))
    base = authenticate(wb, "collector", PASSWORD).agent_id
    assert base is not None
    agents = [f"{base}-{i}" for i in range(4)]
    with engine.begin() as connection:  # four trained agents of the in-house team
        trained = connection.execute(select(t.agents).where(t.agents.c.agent_id == base)).mappings().one()
        for agent in agents:
            connection.execute(t.agents.insert().values({**trained, "agent_id": agent}))
    for i, agent in enumerate(agents):
        create_user(engine, NewUser(f"dial{i}", PASSWORD, Role.COLLECTOR, agent_id=agent), AS_OF_NOON)
    start = Barrier(len(agents))

    def dial(agent: str):  # type: ignore[no-untyped-def]
        start.wait()
        return next_call(wb, NextCall(agent), "service:dialer")

    with ThreadPoolExecutor(len(agents)) as pool:
        calls = [c for c in pool.map(dial, agents) if c is not None]
    assert len(calls) == len(agents) and len({c.account_id for c in calls}) == len(agents)
    first = calls[0]
    done = record_event(wb, DialerEvent(first.attempt_id, "no_answer"), "service:dialer")
    assert done["outcome"] == "no_answer"
    with pytest.raises(Conflict):
        record_event(wb, DialerEvent(first.attempt_id, "answered"), "service:dialer")
    with engine.connect() as connection:
        assert connection.execute(select(contact_attempts.c.outcome).where(
            contact_attempts.c.attempt_id == first.attempt_id)).scalar_one() == "no_answer"
        assert connection.execute(select(dialer_events.c.event).where(
            dialer_events.c.attempt_id == first.attempt_id).order_by(dialer_events.c.event_id)
        ).scalars().all() == ["reserved", "no_answer"]
