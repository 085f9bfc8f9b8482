"""Engines and schema: every command creates and migrates the database it is pointed at."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
_lock = threading.Lock()
_migrated: set[str] = set()
logger = logging.getLogger("arrears.storage")
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB: bulk loads maintain several indexes
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def owner_only_sqlite_file(path: Path) -> None:
    """The database file and its -wal/-shm/-journal companions readable by their owner only
    (0600), the folder made for them 0700. A new file is created 0600 before SQLite opens it
    (SQLite gives the companions the mode of the database file); an existing file open to
    others is tightened, with a warning."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SQLITE_COMPANIONS:
        companion = Path(f"{path}{suffix}")
        try:
            mode = stat.S_IMODE(companion.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            companion.chmod(mode & 0o700)
            logger.warning("%s was readable by other users (mode %o); now %o (owner only)",
                           companion, mode, mode & 0o700)


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            owner_only_sqlite_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=25, max_overflow=25, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions(engine: Engine) -> set[str]:
    """The head of the one linear chain (a set, to compare with the database's current heads)."""
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it on first use)."""
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if key in _migrated:
            return
        if current_revisions(engine) != head_revisions(engine):
            command.upgrade(alembic_config(engine), "head")
        _migrated.add(key)
