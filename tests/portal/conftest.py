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

from portal_support import SentCodes  # noqa: E402
from workbench_support import AS_OF_NOON, CIPHER, load_into, loaded_engine  # noqa: E402

from arrears.adapters.clock import FixedClock  # noqa: E402
from arrears.adapters.storage.database import make_engine, migrate  # noqa: E402


@pytest.fixture(scope="session")
def workbench_template(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> Path:
    path = tmp_path_factory.mktemp("portal") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    load_into(engine, small_demo)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, workbench_template: Path, tmp_path: Path, small_demo: Path) -> Iterator[Engine]:
    """The loaded portfolio on SQLite (a copy of the template) and on PostgreSQL."""
    if request.param == "sqlite":
        engine = loaded_engine(workbench_template, tmp_path)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    load_into(engine, small_demo)
    yield engine


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


def make_portal(engine: Engine, clock: FixedClock, sender: object):  # type: ignore[no-untyped-def]
    from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
    from arrears.adapters.storage.portal_repository import JoinedPortalUnitOfWork, SqlPortalUnitOfWork
    from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
    from arrears.bootstrap import portal_link_key, portal_reads
    from arrears.services.portal.context import Portal

    return Portal(unit_of_work=lambda: SqlPortalUnitOfWork(engine, CIPHER),
                  arrangements=lambda: SqlArrangementsUnitOfWork(engine), portfolio=SqlPortfolioReader(engine),
                  sender=sender, link_key=portal_link_key(CIPHER), public_url="https://bank.example",  # type: ignore[arg-type]
                  institution="样本银行信用卡中心", clock=clock, reads=portal_reads(engine, CIPHER),
                  joined=lambda connection: JoinedPortalUnitOfWork(connection, CIPHER))


def make_app(engine: Engine, clock: FixedClock, sender: object):  # type: ignore[no-untyped-def]
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.deps import get_engine
    from arrears.entrypoints.api.workbench import configure_workbench
    from arrears.entrypoints.web.portal_pages import configure_portal
    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.workbench.context import Workbench

    app = create_app()
    configure_workbench(app, Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=clock))
    portal = make_portal(engine, clock, sender)
    configure_portal(app, portal)
    app.dependency_overrides[get_engine] = lambda: engine
    return app, portal


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
