"""Keys and files at rest: a database keeps the fingerprints of its keys and refuses any other
key (or a missing key file) before reading or writing; the SQLite files are owner-only."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

AS_OF = "2026-11-29"


def arrears(*args: str, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "160", **env}
    return subprocess.run([sys.executable, "-m", "arrears.entrypoints.cli.main", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _key_file(path: Path) -> dict[str, str]:
    keys = {name: base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") for name in ("data_key", "lookup_key")}
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


def _snapshot(folder: Path, target: Path, new_name: str) -> Path:
    """A copy of the portfolio ``folder`` whose first customer is renamed: a snapshot to load."""
    target.mkdir()
    for csv in folder.glob("*.csv"):
        (target / csv.name).write_bytes(csv.read_bytes())
    customers = pl.read_csv(target / "customers.csv", infer_schema=False)
    customers.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(new_name)).otherwise(pl.col("name"))
                           .alias("name")).write_csv(target / "customers.csv")
    return target


def _state(db: Path) -> tuple[int, str]:
    """How many snapshots were loaded, and a digest of every stored customer row."""
    with sqlite3.connect(db) as connection:
        loaded = connection.execute("select count(*) from snapshots").fetchone()[0]
        rows = connection.execute("select * from customers order by customer_id").fetchall()
    return loaded, hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> tuple[Path, dict[str, str]]:
    """The small demo ingested once (by the command, in its own process) under the keys of ``first.key``."""
    folder = tmp_path_factory.mktemp("loaded")
    keys = _key_file(folder / "first.key")
    env = {"ARREARS_DATABASE_URL": f"sqlite:///{folder / 'arrears.db'}", "ARREARS_KEY_FILE": str(folder / "first.key")}
    result = arrears("ingest", str(small_demo), "--as-of", AS_OF, cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    return folder, keys


@pytest.fixture
def loaded(tmp_path: Path, loaded_once: tuple[Path, dict[str, str]]) -> dict[str, object]:
    """A database loaded with the small demo under the keys of ``first.key``: a copy of the one loaded
    for the module (the database and its key file, owner-only as the command left them)."""
    folder, keys = loaded_once
    for name in ("arrears.db", "arrears.db-wal", "first.key"):
        if (folder / name).exists():
            shutil.copy2(folder / name, tmp_path / name)
    env = {"ARREARS_DATABASE_URL": f"sqlite:///{tmp_path / 'arrears.db'}",
           "ARREARS_KEY_FILE": str(tmp_path / "first.key")}
    return {"db": tmp_path / "arrears.db", "env": env, "keys": keys}


def test_an_ingest_with_another_key_file_is_refused_and_writes_nothing(
    loaded: dict[str, object], tmp_path: Path, small_demo: Path
) -> None:
    other = tmp_path / "other.key"
    _key_file(other)
    db, env = loaded["db"], loaded["env"]
    before = _state(db)  # type: ignore[arg-type]
    changed = _snapshot(small_demo, tmp_path / "next", "欧阳修")
    result = arrears("ingest", str(changed), "--as-of", "2026-11-30", cwd=tmp_path,
                     env={**env, "ARREARS_KEY_FILE": str(other)})  # type: ignore[dict-item]
    assert result.returncode == 2
    assert "the data key does not match the key this database was encrypted with" in result.stderr
    assert "ARREARS_DATA_KEY" in result.stderr and "数据密钥" in result.stderr
    assert "Traceback" not in result.stderr
    assert _state(db) == before  # type: ignore[arg-type]


def test_keys_in_the_environment_that_are_not_the_databases_are_refused(
    loaded: dict[str, object], tmp_path: Path
) -> None:
    other = {name.upper(): base64.urlsafe_b64encode(os.urandom(32)).decode() for name in ("data_key", "lookup_key")}
    result = arrears("run", "--as-of", AS_OF, cwd=tmp_path, env={
        **loaded["env"], "ARREARS_DATA_KEY": other["DATA_KEY"], "ARREARS_LOOKUP_KEY": other["LOOKUP_KEY"]})  # type: ignore[dict-item]
    assert result.returncode == 2 and "does not match" in result.stderr


def test_a_missing_key_file_next_to_an_encrypted_database_is_refused_and_no_key_is_made(
    loaded: dict[str, object], tmp_path: Path, small_demo: Path
) -> None:
    missing = tmp_path / "var" / "missing.key"
    before = _state(loaded["db"])  # type: ignore[arg-type]
    changed = _snapshot(small_demo, tmp_path / "next", "司马光")
    result = arrears("ingest", str(changed), "--as-of", "2026-11-30", cwd=tmp_path,
                     env={**loaded["env"], "ARREARS_KEY_FILE": str(missing)})  # type: ignore[dict-item]
    assert result.returncode == 2
    assert "missing" in result.stderr and "no new key is made" in result.stderr
    assert not missing.exists()
    assert _state(loaded["db"]) == before  # type: ignore[arg-type]


def test_the_server_refuses_to_start_with_a_key_that_is_not_the_databases(
    loaded: dict[str, object], tmp_path: Path
) -> None:
    other = tmp_path / "other.key"
    _key_file(other)
    try:
        result = arrears("serve", "--port", "0", cwd=tmp_path, env={**loaded["env"], "ARREARS_KEY_FILE": str(other)},  # type: ignore[dict-item]
                         timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the server started with a key that is not the database's")
    assert result.returncode == 2 and "does not match" in result.stderr


def test_the_app_refuses_a_key_that_is_not_the_databases(
    loaded: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arrears.adapters.crypto import EncryptionKeyError
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench.state import workbench_of
    from arrears.settings import get_settings

    other = tmp_path / "other.key"
    _key_file(other)
    for name, value in {**loaded["env"], "ARREARS_KEY_FILE": str(other)}.items():  # type: ignore[dict-item]
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(EncryptionKeyError, match="does not match"):
            workbench_of(create_app())
    finally:
        get_settings.cache_clear()


def test_the_database_keeps_fingerprints_of_its_keys_and_never_the_keys(loaded: dict[str, object]) -> None:
    db = loaded["db"]
    with sqlite3.connect(db) as connection:  # type: ignore[arg-type]
        stored = dict(connection.execute("select purpose, fingerprint from key_fingerprints").fetchall())
    assert set(stored) == {"data", "lookup"} and all(len(f) == 64 for f in stored.values())
    everything = b"".join(Path(f"{db}{suffix}").read_bytes() for suffix in ("", "-wal")
                          if Path(f"{db}{suffix}").exists())
    for text in loaded["keys"].values():  # type: ignore[attr-defined]
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        assert text.encode() not in everything and raw not in everything and raw.hex().encode() not in everything


def test_a_database_filled_before_fingerprints_existed_is_checked_against_its_data(
    loaded: dict[str, object], tmp_path: Path
) -> None:
    db = loaded["db"]
    with sqlite3.connect(db) as connection:  # type: ignore[arg-type]
        connection.execute("delete from key_fingerprints")
    other = tmp_path / "other.key"
    _key_file(other)
    refused = arrears("run", "--as-of", AS_OF, cwd=tmp_path, env={**loaded["env"], "ARREARS_KEY_FILE": str(other)})  # type: ignore[dict-item]
    assert refused.returncode == 2 and "does not match" in refused.stderr
    accepted = arrears("run", "--as-of", AS_OF, cwd=tmp_path, env=loaded["env"])  # type: ignore[arg-type]
    assert accepted.returncode == 0, accepted.stderr
    with sqlite3.connect(db) as connection:  # type: ignore[arg-type]
        assert connection.execute("select count(*) from key_fingerprints").fetchone()[0] == 2


# ---------------------------------------------------------------- the SQLite file
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_its_wal_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    from sqlalchemy import text

    from arrears.adapters.storage.database import make_engine, migrate

    old_umask = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'arrears.db'}")
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(text("create table if not exists probe (x integer)"))
            connection.execute(text("insert into probe values (1)"))
        files = [p for p in (tmp_path / "var").iterdir() if p.name.startswith("arrears.db")]
        assert {p.name for p in files} >= {"arrears.db", "arrears.db-wal", "arrears.db-shm"}
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(tmp_path / "var") == 0o700
        engine.dispose()
    finally:
        os.umask(old_umask)


def test_an_existing_world_readable_database_is_tightened_with_a_warning(tmp_path: Path) -> None:
    from arrears.adapters.storage.database import make_engine

    db = tmp_path / "old.db"
    sqlite3.connect(db).close()
    db.chmod(0o644)
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o664)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("arrears.storage")
    logger.addHandler(handler)
    try:
        make_engine(f"sqlite:///{db}").dispose()
    finally:
        logger.removeHandler(handler)
    assert _mode(db) == 0o600 and _mode(wal) == 0o600
    assert any("readable by other users" in r.getMessage() and str(db) in r.getMessage() for r in records)


def test_the_key_file_made_on_first_use_stays_owner_only(tmp_path: Path, small_demo: Path) -> None:
    result = arrears("ingest", str(small_demo), "--as-of", AS_OF, cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    assert _mode(tmp_path / "var" / "arrears.key") == 0o600
    assert _mode(tmp_path / "var" / "arrears.db") == 0o600
    assert _mode(tmp_path / "var") == 0o700


def test_the_key_check_refuses_other_keys_on_both_databases(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert

    from arrears.adapters.crypto import KeyMismatch
    from arrears.adapters.storage import tables as t
    from arrears.adapters.storage.key_tables import key_fingerprints
    from arrears.services.key_check import database_cipher
    from arrears.settings import Settings

    now = datetime(2026, 11, 29, tzinfo=UTC)
    first = Settings(key_file=tmp_path / "first.key")
    cipher = database_cipher(engine, first, now)  # a new database: a key file is made, its fingerprints kept
    assert (tmp_path / "first.key").exists()
    with engine.begin() as connection:
        connection.execute(insert(t.customers).values(
            customer_id="C1", name_enc=cipher.encrypt("张三"), name_hash=cipher.lookup_hash("张三"), name_masked="张*",
            language="zh", timezone="Asia/Shanghai", jurisdiction="CN", row_digest="d" * 32, in_portfolio=True))
    _key_file(tmp_path / "other.key")
    other = Settings(key_file=tmp_path / "other.key")
    with pytest.raises(KeyMismatch, match="does not match"):
        database_cipher(engine, other, now)
    with pytest.raises(KeyMismatch, match="missing"):
        database_cipher(engine, Settings(key_file=tmp_path / "none.key"), now)
    assert not (tmp_path / "none.key").exists()
    with engine.begin() as connection:  # as if filled before fingerprints existed
        connection.execute(delete(key_fingerprints))
    with pytest.raises(KeyMismatch, match="does not match"):
        database_cipher(engine, other, now)
    with pytest.raises(KeyMismatch, match="missing"):
        database_cipher(engine, Settings(key_file=tmp_path / "none.key"), now)
    assert database_cipher(engine, first, now).fingerprints() == cipher.fingerprints()
