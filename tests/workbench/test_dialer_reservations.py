"""A dialer's batch of reservations (``reserve_calls``, ``POST /v1/dialer/reservations``) on real
SQLite and PostgreSQL with the real contact gate: every call is answered as the single
reservation answers it (the same decisions, the same rows and decision digests), the batch is
one transaction, and batches that share debtors never break a cap together."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.services.contact_gate import SqlContactGate
from arrears.services.dialer import reservations
from arrears.services.dialer.reservations import CallWanted, ReserveCalls, reserve_calls
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.contacts import reserve_attempt_for
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import ContactBlocked, InvalidInput, WorkbenchError


@pytest.fixture(params=["sqlite", "postgres"])
def twins(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two copies of the loaded portfolio on one database kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("workbench_template")
        (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
        engines = (loaded_engine(template, tmp_path / "a"), loaded_engine(template, tmp_path / "b"))
        yield engines
        for engine in engines:
            engine.dispose()
        return
    template = request.getfixturevalue("workbench_postgres_template")
    if template is None:
        pytest.skip("PostgreSQL not reachable (set ARREARS_TEST_POSTGRES_URL)")
    copy: Callable[[str], Any] = request.getfixturevalue("postgres_databases")
    with ExitStack() as stack:
        yield stack.enter_context(copy(template)), stack.enter_context(copy(template))


def _workbench(engine: Engine) -> Workbench:
    return Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine, cipher=CIPHER),
                     clock=FixedClock(AS_OF_NOON))


def _calls(engine: Engine) -> list[CallWanted]:
    """In-house debtors' phones, the first of each account four times (the fourth passes the day's
    cap), an agency's account (outside the collector's scope), another customer's number, a
    do-not-contact number, an e-mail address for a call, and a letter with no address given."""
    a, p = t.accounts.c, t.contact_points.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(a.account_id, p.contact_point_id, p.kind, p.do_not_contact, p.status)
            .join(t.contact_points, p.customer_id == a.customer_id)
            .where(a.agency_id.is_(None) | (a.agency_id == ""), p.owner == "debtor")
            .order_by(a.account_id, p.contact_point_id)).all()
        agency = connection.execute(select(a.account_id).where(a.agency_id == "AG01").limit(1)).scalar_one()
    phones = [r for r in rows if r.kind == "mobile" and not r.do_not_contact and r.status != "invalid"]
    accounts = list(dict.fromkeys(r.account_id for r in phones))[:12]
    first = {acc: next(r.contact_point_id for r in phones if r.account_id == acc) for acc in accounts}
    calls = [CallWanted(acc, first[acc]) for acc in accounts for _ in range(4)]
    calls += [CallWanted(agency, first[accounts[0]]), CallWanted(accounts[0], first[accounts[1]]),
              CallWanted(accounts[1], None, "letter"), CallWanted(accounts[2], first[accounts[2]], "fax")]
    marked = [r for r in rows if r.do_not_contact or r.status == "invalid"]
    emails = [r for r in rows if r.kind == "email"]
    calls += [CallWanted(r.account_id, r.contact_point_id) for r in marked[:2] + emails[:2]]
    return calls


def _one_at_a_time(wb: Workbench, agent: str, call: CallWanted) -> tuple[Any, ...]:
    try:
        made = reserve_attempt_for(wb, agent, call.account_id, call.channel, call.contact_point_id, language="zh")
    except ContactBlocked as blocked:
        return ("refused", blocked.verdict.decision, blocked.verdict.rules, blocked.verdict.reasons)
    except WorkbenchError as error:
        return ("error", type(error).__name__, error.field)
    return ("reserved", made["verdict"].decision, made["verdict"].rules, made["verdict"].reasons)


def _batched(answer: reservations.CallReserved) -> tuple[Any, ...]:
    if answer.error is not None:
        return ("error", type(answer.error).__name__, answer.error.field)
    assert answer.verdict is not None
    kind = "reserved" if answer.attempt_id else "refused"
    return (kind, answer.verdict.decision, answer.verdict.rules, answer.verdict.reasons)


def _stored(engine: Engine) -> dict[str, Counter[Any]]:
    m, d, x = contact_attempts.c, compliance_decisions.c, access_audit.c
    with engine.connect() as connection:
        return {
            "attempts": Counter(connection.execute(select(
                m.account_id, m.customer_id, m.contact_point_id, m.address_hash, m.channel, m.party, m.at, m.agent_id,
                m.agency_id, m.automated, m.purpose, m.logged_by, m.direction, m.pack_versions)).all()),
            "decisions": Counter(connection.execute(select(
                d.decided_for, d.mode, d.request_digest, d.request_id, d.account_id, d.customer_id, d.channel,
                d.agent_id, d.pack_versions, d.decision, d.rules, d.reasons, d.warnings)).all()),
            "blocked": Counter(connection.execute(select(x.kind, x.outcome, x.user_id, x.account_id, x.detail)
                                                  .where(x.kind == "contact_blocked")).all()),
            "facts": Counter(CIPHER.decrypt(blob) for blob in connection.execute(select(d.facts_enc)).scalars()
                             if blob),  # the request judged, as replay reads it back
        }


def test_a_batch_answers_every_call_as_one_reservation_at_a_time_and_stores_the_same_rows(
    twins: tuple[Engine, Engine]
) -> None:
    single, batch = _workbench(twins[0]), _workbench(twins[1])
    agent = authenticate(single, "collector", PASSWORD).agent_id
    assert agent is not None
    calls = _calls(single.engine)
    expected = [_one_at_a_time(single, agent, call) for call in calls]
    got = [_batched(answer) for answer in reserve_calls(batch, ReserveCalls(agent, tuple(calls)))]
    assert got == expected
    kinds = Counter(answer[0] for answer in got)
    assert kinds["reserved"] >= 12 and kinds["refused"] >= 12 and kinds["error"] >= 5, kinds
    stored = _stored(batch.engine)
    assert stored == _stored(single.engine)
    assert sum(stored["facts"].values()) == sum(stored["decisions"].values())  # every decision's facts, readable


def test_a_batch_that_fails_before_it_commits_writes_nothing(
    loaded_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = _workbench(loaded_db)
    agent = authenticate(wb, "collector", PASSWORD).agent_id
    assert agent is not None
    before = _stored(loaded_db)

    def fail(*_: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(reservations.audit, "write", fail)  # after every decision and attempt was made
    with pytest.raises(RuntimeError):
        reserve_calls(wb, ReserveCalls(agent, tuple(_calls(loaded_db))))
    assert _stored(loaded_db) == before


def test_batches_sharing_debtors_in_opposite_orders_at_once_never_pass_the_daily_cap(loaded_db: Engine) -> None:
    wb = _workbench(loaded_db)
    agent = authenticate(wb, "collector", PASSWORD).agent_id
    assert agent is not None
    calls = [c for c in _calls(loaded_db) if c.channel == "call"][:24]  # six debtors, four calls each
    start = threading.Barrier(4)

    def dial(order: list[CallWanted]) -> list[reservations.CallReserved]:
        start.wait()
        return reserve_calls(wb, ReserveCalls(agent, tuple(order)))

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(dial, [calls, calls[::-1], calls[1::2] + calls[::2], calls[::-1]]))
    reserved = Counter(a.wanted.account_id for batch in answers for a in batch if a.attempt_id)
    m = contact_attempts.c
    with loaded_db.connect() as connection:
        stored = dict(connection.execute(select(m.account_id, func.count()).group_by(m.account_id)).all())
    assert reserved == {account: stored[account] for account in reserved}
    assert set(reserved.values()) == {3}  # each debtor's three calls of the day, and no fourth


def test_a_batch_holds_one_to_two_hundred_calls(loaded_db: Engine) -> None:
    wb = _workbench(loaded_db)
    agent = authenticate(wb, "collector", PASSWORD).agent_id
    assert agent is not None
    call = _calls(loaded_db)[0]
    for calls in ((), (call,) * (reservations.MAX_CALLS + 1)):
        with pytest.raises(InvalidInput):
            reserve_calls(wb, ReserveCalls(agent, calls))
