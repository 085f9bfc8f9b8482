"""The whole loop with real processes: `arrears serve` listening, the gateway stand-in (its own
process) posting delivery receipts back to it after each accepted SMS; the ledger hears them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from outreach_support import CALLBACK_TOKEN, DAY, dispatched
from sqlalchemy import select

from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.outreach_tables import outbox_messages

SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_receipts_posted_by_the_gateway_to_arrears_serve_complete_the_attempts(world, gateway) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    server = subprocess.Popen([sys.executable, "-m", "arrears.entrypoints.cli.main", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "arrears serve did not start"
            time.sleep(0.3)
        gateway("--callback", f"http://127.0.0.1:{port}", "--callback-token", CALLBACK_TOKEN,
                "--undeliverable", world.mobiles[2]["number"])
        assert dispatched(world.plan(world.sms(3)), f"{DAY}T11:00:00+08:00")["sent"] == 3

        def outcomes() -> list[str | None]:
            with world.engine.connect() as connection:
                return sorted(connection.execute(select(contact_attempts.c.outcome)).scalars(), key=str)

        deadline = time.monotonic() + 60
        while None in outcomes():
            assert time.monotonic() < deadline, outcomes()
            time.sleep(0.3)
        assert outcomes() == ["bounced", "delivered", "delivered"]
        with world.engine.connect() as connection:
            deliveries = sorted(connection.execute(select(outbox_messages.c.delivery)).scalars())
        assert deliveries == ["delivered", "delivered", "undeliverable"]
    finally:
        server.terminate()
        server.wait(timeout=30)
