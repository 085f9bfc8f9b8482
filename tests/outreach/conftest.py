"""Outreach fixtures: a loaded portfolio on SQLite and PostgreSQL (the environment `arrears` reads,
with the loaded data's keys), the SMS gateway stand-in as its own process, a real SMTP server in
this process, the API app."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from outreach_support import AS_OF, CALLBACK_TOKEN, CIPHER, STANDIN, Gateway, World, key_text, plain_points
from smtp_standin import Mailbox, smtp_standin
from sqlalchemy import Engine

from arrears.bootstrap import ingest_uow
from arrears.services.contact_gate import SqlContactGate
from arrears.services.ingest.load import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio
from arrears.services.workbench.context import Workbench
from arrears.settings import get_settings


@pytest.fixture
def world(engine: Engine, small_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    portfolio = read_portfolio(small_demo, AS_OF.date())
    ingest_portfolio(ingest_uow(engine, CIPHER), IngestPortfolio(portfolio, AS_OF.date(), AS_OF))
    url = engine.url.render_as_string(hide_password=False)
    for name, value in {"DATABASE_URL": url, "DATA_KEY": key_text(CIPHER.data_key),
                        "LOOKUP_KEY": key_text(CIPHER.lookup_key), "LOG_JSON": "false", "LOG_LEVEL": "WARNING",
                        "GATEWAY_CALLBACK_TOKEN": CALLBACK_TOKEN, "OUTREACH_RETRY_SECONDS": "0.05",
                        "KEY_FILE": str(tmp_path / "unused.key")}.items():
        monkeypatch.setenv(f"ARREARS_{name}", value)
    for name in ("SMS_GATEWAY_URL", "SMTP_URL", "MAIL_FROM", "LETTER_DIR", "SMS_GATEWAY_TOKEN"):
        monkeypatch.delenv(f"ARREARS_{name}", raising=False)
    get_settings.cache_clear()
    yield World(engine, url, tmp_path, plain_points(engine, "mobile"), plain_points(engine, "email"))
    get_settings.cache_clear()


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Gateway]]:
    """Start the stand-in (its own process) with options; ARREARS_SMS_GATEWAY_URL points at it."""
    started: list[Gateway] = []

    def start(*options: str) -> Gateway:
        record = tmp_path / f"gateway-{len(started)}.jsonl"
        process = subprocess.Popen([sys.executable, str(STANDIN), "--record", str(record), *options],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        port = int(process.stdout.readline())
        found = Gateway(f"http://127.0.0.1:{port}/sms", record, process)
        started.append(found)
        monkeypatch.setenv("ARREARS_SMS_GATEWAY_URL", found.url)
        get_settings.cache_clear()
        return found

    yield start
    for found in started:
        found.process.kill()
        found.process.wait()


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, Workbench(engine=world.engine, cipher=CIPHER, gate=SqlContactGate(world.engine)))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def smtp_server(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """The SMTP server (after the world, whose environment it extends; its certificate in the world's folder)."""
    with smtp_standin(world.tmp, monkeypatch) as mailbox:
        yield mailbox
