"""Shared fixtures: real SQLite and PostgreSQL engines, a field cipher, demo portfolios."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.database import make_engine, migrate
from arrears.services.workbench import auth as password_auth

# Passwords in the tests are hashed with argon2's cheapest parameters: the product's (argon2id,
# 64 MiB, 3 passes) cost 90-170 ms of CPU a sign-in here, and the suite signs in thousands of
# times. The hashing and checking code is the product's; only the cost differs (a hash records
# its parameters, so one made by a command the tests start is still checked right), and
# `tests/security/test_password_hashing.py` checks the product's own parameters.
password_auth.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Property tests judge what is computed, not how fast: a shared 2-core CI machine under load made
# Hypothesis's 200 ms per-example deadline fail tests that pass alone (seen in this session).
settings.register_profile("arrears", deadline=None, database=None)
settings.load_profile("arrears")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
POSTGRES_URL = os.environ.get(
    "ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
AS_OF = date(2026, 11, 29)
# Tests' databases are thrown away: their commits need not wait for the disk. Without this every
# commit waits 2-3 ms for the WAL to reach the disk here (more on a busy CI machine), and the
# suite commits tens of thousands of times. The setting travels in the URL, so the servers and
# commands a test starts with its database's URL commit the same way.
NO_WAIT_FOR_DISK = "options=-c%20synchronous_commit%3Doff"


def postgres_test_url(name: str) -> str:
    """The URL of the test database ``name`` on the test server."""
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}?{NO_WAIT_FOR_DISK}"


def _admin_engine() -> Engine | None:
    url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    url += ("&" if "?" in url else "?") + NO_WAIT_FOR_DISK
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return engine
    except Exception:
        return None


_ADMIN: list[Engine | None] = []


def postgres_admin() -> Engine | None:
    if not _ADMIN:
        _ADMIN.append(_admin_engine())
    return _ADMIN[0]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once per test process (the whole Alembic chain takes a while); each
    test gets a copy of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    target = tmp_path / "arrears.db"
    shutil.copyfile(sqlite_template, target)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A PostgreSQL database migrated once per test process; each test's database is created from
    it (CREATE DATABASE ... TEMPLATE), which takes a fraction of running the migrations."""
    admin = postgres_admin()
    if admin is None:
        yield None
        return
    name = f"arrears_tpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(postgres_test_url(name))
    migrate(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def postgres_database(template: str) -> Iterator[Engine]:
    """A new PostgreSQL database copied from ``template`` (CREATE DATABASE ... TEMPLATE), dropped
    afterwards; the template must have no open connection.

    WAL_LOG (PostgreSQL 15's default), not FILE_COPY: FILE_COPY checkpoints before and after the
    copy, and with other tests writing that cost 0.9-2.5 s a database (and about 1 s more to drop
    it), against 0.3-0.4 s (and 0.1 s) here, for the empty schema and for a 67 MB template alike."""
    admin = postgres_admin()
    assert admin is not None
    name = f"arrears_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG'))
    engine = make_engine(postgres_test_url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_databases() -> Callable[[str], AbstractContextManager[Engine]]:
    """``postgres_database``, for fixtures elsewhere that copy a template of their own."""
    return postgres_database


@pytest.fixture
def postgres_engine(postgres_template: str | None) -> Iterator[Engine]:
    if postgres_admin() is None or postgres_template is None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set ARREARS_TEST_POSTGRES_URL)")
    with postgres_database(postgres_template) as engine:
        yield engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on real SQLite and real PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(b"k" * 32, b"h" * 32)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arrears.services.demo_generator import DemoSize, generate

    folder = tmp_path_factory.mktemp("demo") / "portfolio"
    generate(folder, AS_OF, DemoSize(customers=300, seed=7))
    return folder


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data not found at {SHARED / 'data'} (needs the ../shared checkout)")
    return SHARED / "data"


# ---------------------------------------------------------------- the loaded portfolio, once per process
def _workbench_support() -> Any:
    folder = str(Path(__file__).resolve().parent / "workbench")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import workbench_support

    return workbench_support


@pytest.fixture(scope="session")
def workbench_template(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> Path:
    """The small demo ingested, aged and scored, with a user of every role (``workbench_support``), on
    SQLite: made once per process; each test copies it."""
    path = tmp_path_factory.mktemp("workbench") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    _workbench_support().load_into(engine, small_demo)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def workbench_postgres_template(postgres_template: str | None, small_demo: Path) -> Iterator[str | None]:
    """The same loaded portfolio and users on PostgreSQL, made once per process; each test gets a copy."""
    if postgres_template is None:
        yield None
        return
    with postgres_database(postgres_template) as engine:
        _workbench_support().load_into(engine, small_demo)
        engine.dispose()
        yield engine.url.database


@pytest.fixture(params=["sqlite", "postgres"])
def loaded_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The loaded portfolio (``workbench_template``) on real SQLite and real PostgreSQL, a copy per test:
    what loading it into ``engine`` gives, without loading it again for every test."""
    if request.param == "sqlite":
        engine = _workbench_support().loaded_engine(request.getfixturevalue("workbench_template"), tmp_path)
        yield engine
        engine.dispose()
        return
    template = request.getfixturevalue("workbench_postgres_template")
    if template is None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set ARREARS_TEST_POSTGRES_URL)")
    with postgres_database(template) as engine:
        yield engine
