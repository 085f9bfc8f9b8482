"""Security regressions run on the workbench's loaded portfolio: the workbench fixtures (a 300-customer
portfolio, users of every role, the fake gate, a settable clock, an app client) are shared from
tests/workbench, and ``portfolio`` is the loaded demo portfolio on real SQLite and PostgreSQL for the tests
where many collectors act at once (real threads; see security_support)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

WORKBENCH = Path(__file__).resolve().parents[1] / "workbench"
if str(WORKBENCH) not in sys.path:
    sys.path.insert(0, str(WORKBENCH))


_spec = importlib.util.spec_from_file_location("workbench_fixtures", WORKBENCH / "conftest.py")
assert _spec is not None and _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

gate = _fixtures.gate
clock = _fixtures.clock
wb = _fixtures.wb


@pytest.fixture
def app(wb):  # type: ignore[no-untyped-def]
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


@pytest.fixture
def portfolio(loaded_db: Engine) -> Engine:
    """The demo portfolio loaded and aged, with a user of every role (workbench_support)."""
    return loaded_db
