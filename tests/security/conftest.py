"""Security regressions (issue 12). The workbench fixtures of ``tests/workbench`` (a loaded
300-customer portfolio copied per test, users of every role, an app client), shared here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbench"))

from workbench_support import AS_OF_NOON, CIPHER, FakeGate, load_into, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.database import make_engine, migrate
from arrears.services.workbench.context import Workbench


@pytest.fixture(scope="session")
def workbench_template(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> Path:
    path = tmp_path_factory.mktemp("security") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    load_into(engine, small_demo)
    engine.dispose()
    return path


@pytest.fixture
def wb(workbench_template: Path, tmp_path: Path) -> Iterator[Workbench]:
    engine = loaded_engine(workbench_template, tmp_path)
    yield Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))
    engine.dispose()


@pytest.fixture
def app(wb: Workbench):  # type: ignore[no-untyped-def]
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.deps import get_engine
    from arrears.entrypoints.api.workbench import configure_workbench

    made = create_app()
    configure_workbench(made, wb)
    made.dependency_overrides[get_engine] = lambda: wb.engine
    return made


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Server errors come back as responses (500), as a user would see them."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
