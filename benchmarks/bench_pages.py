"""Page timings on the 10,000-customer demo: the queue page, "next account", the account page and
the search of a caller by phone (the search box, posted), p50/p95.

    python benchmarks/bench_pages.py [--customers 10000] [--requests 200] [--folder var/bench-pages]

Generates (or reuses) the demo in a fresh SQLite database, ingests and ages it, creates a
collector, then times real HTTP requests through the app (TestClient: routing, session,
templates, the database-backed compliance gate) for the queue page and for account pages
taken with "next account". Target: p95 < 200 ms for both.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from arrears.adapters.clock import FixedClock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.database import make_engine, migrate
from arrears.bootstrap import ingest_uow, nightly_ports
from arrears.domain.access import Role
from arrears.domain.aging import DEFAULT_LADDER
from arrears.entrypoints.api.app import create_app
from arrears.entrypoints.api.workbench import configure_workbench
from arrears.services.contact_gate import SqlContactGate
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.portfolio_files import read_portfolio
from arrears.services.scoring_run import scorecard_fallback
from arrears.services.workbench.auth import NewUser, create_user
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.demo_users import _trained_agent

AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
PASSWORD = "quiet-harbour-lantern-2026"  # the policy refuses one containing the username


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _prepare(folder: Path, customers: int) -> Workbench:
    portfolio = folder / "portfolio"
    if not (portfolio / "accounts.csv").exists():
        generate(portfolio, AS_OF, DemoSize(customers=customers, seed=20261129))
    database = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    cipher = FieldCipher(b"k" * 32, b"h" * 32)
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(portfolio, AS_OF), AS_OF, NOW))
    # aging, scores, arrangements
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    create_user(engine, NewUser("bench", PASSWORD, Role.COLLECTOR, agent_id=_trained_agent(engine, None, AS_OF)), NOW)
    return Workbench(engine=engine, cipher=cipher, gate=SqlContactGate(engine), clock=FixedClock(NOW))


def _phones(portfolio: Path, count: int) -> list[str]:
    """Debtors' mobiles as a caller would say them (national form, with spaces)."""
    import csv

    with (portfolio / "contact_points.csv").open(encoding="utf-8") as handle:
        mobiles = [r["value"].removeprefix("+86") for r in csv.DictReader(handle)
                   if r["kind"] == "mobile" and r["owner"] == "debtor"]
    step = max(1, len(mobiles) // count)
    return [f"{m[:3]} {m[3:7]} {m[7:]}" for m in mobiles[::step][:count]]


def _timed(client: TestClient, method: str, url: str, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    reply = client.request(method, url, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    assert reply.status_code < 400, (url, reply.status_code, reply.text[:300])
    return elapsed, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--folder", type=Path, default=Path("var/bench-pages"))
    parser.add_argument("--fresh", action="store_true", help="regenerate the portfolio files")
    parser.add_argument("--no-search", action="store_true", help="skip the search (a version without it)")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(args.folder, ignore_errors=True)
    args.folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wb = _prepare(args.folder, args.customers)
    print(f"prepared {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    app = create_app()
    configure_workbench(app, wb)
    import re

    with TestClient(app) as client:
        login = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]
        queue_ms, account_ms, next_ms, search_ms = [], [], [], []
        phones = [] if args.no_search else _phones(args.folder / "portfolio", args.requests)
        for phone in phones:
            search_ms.append(_timed(client, "POST", "/search", data={"csrf_token": csrf, "q": phone})[0])
        for _ in range(args.requests):
            queue_ms.append(_timed(client, "GET", "/queue")[0])
            took, reply = _timed(client, "POST", "/queue/next", data={"csrf_token": csrf}, follow_redirects=False)
            next_ms.append(took)
            account_ms.append(_timed(client, "GET", reply.headers["location"])[0])  # type: ignore[attr-defined]
    for name, values in (("queue page", queue_ms), ("next account", next_ms), ("account page", account_ms),
                         ("search (phone)", search_ms)):
        if not values:
            continue
        print(f"{name:14s} n={len(values)}  p50 {statistics.median(values):6.1f} ms  "
              f"p95 {_percentile(values, 0.95):6.1f} ms  max {max(values):6.1f} ms")


if __name__ == "__main__":
    main()
