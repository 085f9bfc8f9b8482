"""Workbench fixtures: a loaded 300-customer portfolio (built once, copied per test), users of
every role, the fake contact gate, a settable clock, and an app client; ``db_wb`` and ``db_client``
the same on SQLite and on PostgreSQL (a loaded PostgreSQL template made once, copied per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from workbench_support import AS_OF_NOON, CIPHER, FakeGate, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.domain.access import LoginPolicy
from arrears.services.workbench.context import Workbench


@pytest.fixture
def gate() -> FakeGate:
    return FakeGate()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(AS_OF_NOON)


@pytest.fixture
def wb(workbench_template: Path, tmp_path: Path, gate: FakeGate, clock: FixedClock) -> Iterator[Workbench]:
    yield from _workbench_on(loaded_engine(workbench_template, tmp_path), gate, clock)


@pytest.fixture
def client(wb: Workbench) -> Iterator[TestClient]:
    yield from _client_of(wb)


def _client_of(wb: Workbench) -> Iterator[TestClient]:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def db_wb(loaded_db: Engine, gate: FakeGate, clock: FixedClock) -> Iterator[Workbench]:
    """``wb`` on real SQLite and on real PostgreSQL: the same loaded portfolio and users."""
    yield from _workbench_on(loaded_db, gate, clock)


def _workbench_on(engine: Engine, gate: FakeGate, clock: FixedClock) -> Iterator[Workbench]:
    yield Workbench(engine=engine, cipher=CIPHER, gate=gate, clock=clock, login_policy=LoginPolicy())
    engine.dispose()


@pytest.fixture
def db_client(db_wb: Workbench) -> Iterator[TestClient]:
    """``client`` on the workbench of ``db_wb`` (SQLite, then PostgreSQL)."""
    yield from _client_of(db_wb)


