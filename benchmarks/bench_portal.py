"""The customer's page under load, against `arrears serve`: the first page's weight, and p95
latency with 50 customers at once (each opens their link, asks for a code, types it, views
their account, and previews a plan), each reading a page for about --think seconds before the
next click (0: requests back to back, a stress test of throughput rather than of customers).

    PYTHONPATH=src python benchmarks/bench_portal.py [--customers 2000] [--concurrent 50] [--views 5] [--think 1]
        [--database-url postgresql://USER@HOST/EMPTY_DB]

Generates the demo portfolio in a fresh SQLite database (ingested and aged), starts the SMS
gateway stand-in of the outreach tests and `arrears serve` as their own processes, makes one
link per customer, and drives the page over real HTTP from 50 threads. Targets: the first page
(HTML and its one stylesheet) under 100 kB; p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
STANDIN = ROOT / "tests" / "outreach" / "sms_gateway_standin.py"
AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r"(\d{6})")


def _key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _fresh_engine(folder: Path, url: str | None):  # type: ignore[no-untyped-def]
    """A fresh SQLite file in the folder, or the PostgreSQL database ``url`` emptied (its schema is dropped)."""
    from sqlalchemy import text

    from arrears.adapters.storage.database import make_engine

    if url is None:
        database = folder / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return make_engine(f"sqlite:///{database}")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return engine


def _prepare(folder: Path, customers: int, env: dict[str, str], url: str | None) -> list[tuple[str, str]]:
    """The database, and (account, mobile number) of each plain account with a valid debtor mobile."""
    from sqlalchemy import select

    from arrears.adapters.crypto import FieldCipher
    from arrears.adapters.storage import tables as t
    from arrears.adapters.storage.database import migrate
    from arrears.bootstrap import ingest_uow, nightly_ports
    from arrears.domain.aging import DEFAULT_LADDER
    from arrears.services.demo_generator import DemoSize, generate
    from arrears.services.ingest import IngestPortfolio, ingest_portfolio
    from arrears.services.nightly.job import RunNightly, run_nightly
    from arrears.services.portfolio_files import read_portfolio
    from arrears.services.scoring_run import scorecard_fallback

    portfolio = folder / "portfolio"
    if not (portfolio / "accounts.csv").exists():
        generate(portfolio, AS_OF, DemoSize(customers=customers, seed=20261129))
    engine = _fresh_engine(folder, url)
    migrate(engine)
    cipher = FieldCipher(b"k" * 32, b"h" * 32)
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(portfolio, AS_OF), AS_OF, NOW))
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    env.update({"ARREARS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "ARREARS_DATA_KEY": _key(cipher.data_key),
                "ARREARS_LOOKUP_KEY": _key(cipher.lookup_key)})
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(a.account_id, a.customer_id, p.value_enc)
            .join(t.customers, c.customer_id == a.customer_id).join(t.contact_points, p.customer_id == a.customer_id)
            .where(a.past_due_cents > 100000, a.flags == "", a.status == "open", p.kind == "mobile",
                   p.owner == "debtor", p.status == "valid")
            .order_by(a.account_id)).all()
    engine.dispose()
    seen: set[str] = set()
    picked = []
    for row in rows:
        if row.customer_id not in seen:
            seen.add(row.customer_id)
            picked.append((row.account_id, cipher.decrypt(row.value_enc)))
    return picked


def _links(accounts: list[str]) -> list[str]:
    from arrears import bootstrap
    from arrears.services.portal.links import create_link
    from arrears.settings import get_settings

    get_settings.cache_clear()
    portal = bootstrap.portal(bootstrap.container())
    return [create_link(portal, account, created_by="bench") for account in accounts]


class Gateway:
    def __init__(self, record: Path) -> None:
        self.record, self.lock = record, threading.Lock()

    def code_for(self, number: str, deadline: float = 10.0) -> str:
        until = time.monotonic() + deadline
        while time.monotonic() < until:
            with self.lock:
                lines = self.record.read_text(encoding="utf-8").splitlines() if self.record.exists() else []
            for line in reversed(lines):
                sent = json.loads(line)
                if sent.get("to") == number:
                    found = CODE.search(sent["text"])
                    if found:
                        return found[1]
            time.sleep(0.02)
        raise RuntimeError(f"no code reached the gateway for {number[:4]}…")


@dataclass
class Load:
    gateway: Gateway
    views: int
    think: float
    timings: dict[str, list[float]] = field(default_factory=dict)


def _customer(url: str, number: str, load: Load, seed: int) -> None:
    pause, think, timings, gateway, views = random.Random(seed), load.think, load.timings, load.gateway, load.views
    time.sleep(2 * think * pause.random())  # customers arrive over the first seconds, not all in one instant
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        def timed(kind: str, method: str, target: str, **kwargs: object) -> httpx.Response:
            if think:  # a person reads the page before the next click: 0.5 to 1.5 times --think
                time.sleep(think * pause.uniform(0.5, 1.5))
            started = time.perf_counter()
            answer = client.request(method, target, **kwargs)  # type: ignore[arg-type]
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            assert answer.status_code < 400, (kind, answer.status_code, answer.text[:200])
            return answer

        start = timed("open link (GET /p/{token})", "GET", url)
        csrf = CSRF.search(start.text)[1]  # type: ignore[index]
        timed("ask for a code (POST /code)", "POST", f"{url}/code", data={"csrf_token": csrf})
        code = gateway.code_for(number)
        timed("verify (POST /verify)", "POST", f"{url}/verify", data={"csrf_token": csrf, "code": code})
        for _ in range(views):
            timed("account page (GET, verified)", "GET", url)
        timed("plan preview (GET /plan?months=6)", "GET", f"{url}/plan", params={"months": "6"})


def _report(load: Load, args: argparse.Namespace, wall: float) -> None:
    every = [ms for values in load.timings.values() for ms in values]
    print(f"{args.concurrent} customers at once, {len(every)} requests in {wall:.1f}s "
          f"({len(every) / wall:.0f} a second; think time {args.think:g} s)")
    print("| request | n | p50 | p95 | max |\n|---|---|---|---|---|")
    for kind, values in load.timings.items():
        print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} ms | "
              f"{_percentile(values, 0.95):.1f} ms | {max(values):.1f} ms |")
    print(f"| every request | {len(every)} | {statistics.median(every):.1f} ms | "
          f"{_percentile(every, 0.95):.1f} ms | {max(every):.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--views", type=int, default=5)
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a customer reads a page before the next request (0: back to back)")
    parser.add_argument("--folder", type=Path, default=Path("var/bench-portal"))
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database to empty and use (default: a fresh SQLite file in --folder)")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ARREARS_LOG_LEVEL": "WARNING", "ARREARS_LOG_JSON": "false",
           "ARREARS_KEY_FILE": str(args.folder / "unused.key"), "ARREARS_INSTITUTION_NAME": "样本银行信用卡中心"}
    started = time.perf_counter()
    people = _prepare(args.folder, args.customers, env, args.database_url)[: args.concurrent]
    record = args.folder / "gateway.jsonl"
    record.unlink(missing_ok=True)
    gateway = subprocess.Popen([sys.executable, str(STANDIN), "--record", str(record)], stdout=subprocess.PIPE,
                               text=True)
    assert gateway.stdout is not None
    port = _free_port()
    env.update({"ARREARS_SMS_GATEWAY_URL": f"http://127.0.0.1:{int(gateway.stdout.readline())}/sms",
                "ARREARS_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    os.environ.update(env)
    arrears = shutil.which("arrears") or "arrears"
    command = [arrears] if Path(arrears).exists() else [sys.executable, "-m", "arrears.entrypoints.cli.main"]
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        links = _links([account for account, _ in people])
        print(f"prepared {len(people)} customers in {time.perf_counter() - started:.0f}s", flush=True)
        first = httpx.get(links[0])
        css = httpx.get(f"http://127.0.0.1:{port}/static/portal.css")
        for _ in range(20):  # warm: the templates compiled, the connection pool filled, as in service
            httpx.get(links[-1])
        weight = len(first.content) + len(css.content)
        load = Load(Gateway(record), args.views, args.think)
        wall = time.perf_counter()
        with ThreadPoolExecutor(args.concurrent) as pool:
            for done in [pool.submit(_customer, url, number, load, i)
                         for i, (url, (_, number)) in enumerate(zip(links, people, strict=True))]:
                done.result()
        print(f"first page: {len(first.content):,} B HTML + {len(css.content):,} B CSS = {weight / 1024:.1f} kB "
              f"(target < 100 kB)")
        _report(load, args, time.perf_counter() - wall)
    finally:
        server.terminate()
        server.wait(10)
        gateway.kill()
        gateway.wait()


if __name__ == "__main__":
    main()
