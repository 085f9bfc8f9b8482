"""`arrears portal link | revoke`: one URL on stdout, {ARREARS_PUBLIC_URL}/p/{token}, a link the
server opens (the key is the database's, not the process's), expiring after --ttl, revocable."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from portal_support import account_with_mobile
from sqlalchemy import Engine
from typer.testing import CliRunner
from workbench_support import CIPHER

from arrears.entrypoints.cli.main import app
from arrears.settings import get_settings

URL = re.compile(r"^https://pay\.bank\.example/p/[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\n$")


def _key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


@pytest.fixture
def configured(quick, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:  # type: ignore[type-arg]
    client, portal, engine = quick
    assert isinstance(engine, Engine)
    for name, value in {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
                        "DATA_KEY": _key(CIPHER.data_key), "LOOKUP_KEY": _key(CIPHER.lookup_key),
                        "PUBLIC_URL": "https://pay.bank.example", "LOG_JSON": "false", "LOG_LEVEL": "WARNING",
                        "KEY_FILE": str(tmp_path / "unused.key")}.items():
        monkeypatch.setenv(f"ARREARS_{name}", value)
    get_settings.cache_clear()
    yield client, portal, engine
    get_settings.cache_clear()


def _run(*args: str):  # type: ignore[no-untyped-def]
    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args))


def test_portal_link_prints_one_url_that_the_server_opens_until_its_ttl_ends(configured, clock) -> None:  # type: ignore[no-untyped-def]
    client, _, engine = configured
    account = account_with_mobile(engine)["account_id"]
    made = _run("portal", "link", account, "--ttl", "30m")
    assert made.exit_code == 0, made.output
    assert URL.fullmatch(made.stdout), made.stdout
    assert account not in made.stdout
    path = made.stdout.strip().removeprefix("https://pay.bank.example")
    clock.set(datetime.now(UTC) + timedelta(minutes=29))  # the command made it by the wall clock
    assert client.get(path).status_code == 200
    clock.set(datetime.now(UTC) + timedelta(minutes=31))
    assert client.get(path).status_code == 404


def test_portal_revoke_makes_the_link_answer_404(configured) -> None:  # type: ignore[no-untyped-def]
    client, _, engine = configured
    url = _run("portal", "link", account_with_mobile(engine)["account_id"]).stdout.strip()
    path = url.removeprefix("https://pay.bank.example")
    assert client.get(path).status_code == 200
    revoked = _run("portal", "revoke", url)
    assert revoked.exit_code == 0, revoked.output
    assert client.get(path).status_code == 404
    assert _run("portal", "revoke", url).exit_code == 4


def test_a_bad_duration_and_an_unknown_account_are_refused_without_a_url(configured) -> None:  # type: ignore[no-untyped-def]
    _, _, engine = configured
    bad = _run("portal", "link", account_with_mobile(engine)["account_id"], "--ttl", "3 weeks")
    assert bad.exit_code == 2 and "/p/" not in bad.stdout and "72h" in bad.output
    unknown = _run("portal", "link", "NO-SUCH-ACCOUNT")
    assert unknown.exit_code == 4 and unknown.stdout == ""
