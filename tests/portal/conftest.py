"""The customer's page on a loaded portfolio: the workbench's 300-customer database (a copy per
test) on SQLite, and the same portfolio loaded on PostgreSQL; the page's app with the real
database-backed gate, a settable clock and a code sender that keeps what it sent."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

WORKBENCH = Path(__file__).resolve().parents[1] / "workbench"
if str(WORKBENCH) not in sys.path:
    sys.path.insert(0, str(WORKBENCH))

from portal_support import SentCodes, make_app  # noqa: E402
from workbench_support import AS_OF_NOON, loaded_engine  # noqa: E402

from arrears.adapters.clock import FixedClock  # noqa: E402


@pytest.fixture
def db(loaded_db: Engine) -> Engine:
    """The loaded portfolio on SQLite and on PostgreSQL (a copy of the workbench's template each)."""
    return loaded_db


@pytest.fixture
def sqlite_db(workbench_template: Path, tmp_path: Path) -> Iterator[Engine]:
    engine = loaded_engine(workbench_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(AS_OF_NOON)


@pytest.fixture
def sender() -> SentCodes:
    return SentCodes()


@pytest.fixture
def site(db: Engine, clock: FixedClock, sender: SentCodes):  # type: ignore[no-untyped-def]
    app, portal = make_app(db, clock, sender)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, portal, db


@pytest.fixture
def quick(sqlite_db: Engine, clock: FixedClock, sender: SentCodes):  # type: ignore[no-untyped-def]
    """The same on SQLite only, for the rules that do not depend on the database."""
    app, portal = make_app(sqlite_db, clock, sender)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, portal, sqlite_db
