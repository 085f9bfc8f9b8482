"""Workbench fixtures: a loaded 300-customer portfolio (built once, copied per test), users of
every role, the fake contact gate, a settable clock, and an app client; ``db_wb`` and ``db_client``
the same on SQLite and on PostgreSQL (a loaded PostgreSQL template made once, copied per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from workbench_support import AS_OF_NOON, CIPHER, FakeGate, load_into, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.database import make_engine, migrate
from arrears.domain.access import LoginPolicy
from arrears.services.workbench.context import Workbench


@pytest.fixture(scope="session")
def workbench_template(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> Path:
    path = tmp_path_factory.mktemp("workbench") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    load_into(engine, small_demo)
    engine.dispose()
    return path


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


@pytest.fixture(scope="session")
def workbench_postgres_template(postgres_template: str | None, postgres_databases: Callable[..., Any],
                                small_demo: Path) -> Iterator[str | None]:
    """The loaded portfolio and users on PostgreSQL, made once per process; each test gets a copy."""
    if postgres_template is None:
        yield None
        return
    with postgres_databases(postgres_template) as engine:
        load_into(engine, small_demo)
        engine.dispose()
        yield engine.url.database


@pytest.fixture(params=["sqlite", "postgres"])
def db_wb(request: pytest.FixtureRequest, workbench_template: Path, tmp_path: Path, *, gate: FakeGate,
          clock: FixedClock, postgres_databases: Callable[..., Any]) -> Iterator[Workbench]:
    """``wb`` on real SQLite and on real PostgreSQL: the same loaded portfolio and users."""
    if request.param == "sqlite":
        yield from _workbench_on(loaded_engine(workbench_template, tmp_path), gate, clock)
        return
    template = request.getfixturevalue("workbench_postgres_template")
    if template is None:
        pytest.skip("PostgreSQL not reachable (set ARREARS_TEST_POSTGRES_URL)")
    with postgres_databases(template) as engine:
        yield from _workbench_on(engine, gate, clock)


def _workbench_on(engine: Engine, gate: FakeGate, clock: FixedClock) -> Iterator[Workbench]:
    yield Workbench(engine=engine, cipher=CIPHER, gate=gate, clock=clock, login_policy=LoginPolicy())
    engine.dispose()


@pytest.fixture
def db_client(db_wb: Workbench) -> Iterator[TestClient]:
    """``client`` on the workbench of ``db_wb`` (SQLite, then PostgreSQL)."""
    yield from _client_of(db_wb)


