"""Workbench fixtures: a loaded 300-customer portfolio (built once, copied per test), users of
every role, the fake contact gate, a settable clock, and an app client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
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
    engine = loaded_engine(workbench_template, tmp_path)
    yield Workbench(engine=engine, cipher=CIPHER, gate=gate, clock=clock, login_policy=LoginPolicy())
    engine.dispose()


@pytest.fixture
def client(wb: Workbench) -> Iterator[TestClient]:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app) as test_client:
        yield test_client


