"""Benchmark: the nightly allocation (分案) of a demo portfolio on PostgreSQL (and SQLite).

    .venv/bin/python benchmarks/bench_allocation.py [--customers 1000000] [--backend postgres|sqlite|both]

Generates the portfolio, ingests it and ages it (not timed), then times `allocate_accounts` with
capacities large enough that every late account is placed (the heaviest night), a second run the
same day (nothing to place), and a recall of 10,000 accounts by hand. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.allocation_repository import SqlAllocationUnitOfWork
from arrears.adapters.storage.database import make_engine, migrate
from arrears.bootstrap import ingest_uow, nightly_uow
from arrears.domain.aging import DEFAULT_LADDER
from arrears.services.allocation.placements import Allocate, Recall, allocate_accounts, recall_accounts
from arrears.services.allocation.rules import read_rules
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio

AS_OF = date(2026, 11, 29)
PG = os.environ.get("ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
RULES = """version: 1
agencies:
  AG01: {capacity: 2000000, placement_days: 90}
  AG02: {capacity: 2000000, placement_days: 60}
rules:
  - {name: early, buckets: [M1, M2], target: in_house}
  - {name: large, buckets: [M4, M5, M6, "M7+"], min_balance: "20000.00", target: [AG01, AG02]}
  - {name: late, buckets: [M3, M4, M5, M6, "M7+"], target: [AG02, AG01]}
"""


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<34} {time.perf_counter() - start:8.1f} s", flush=True)
    return result


def bench(url: str, folder: Path, rules_path: Path) -> None:
    engine = make_engine(url)
    migrate(engine)
    cipher = FieldCipher(os.urandom(32), os.urandom(32))
    portfolio = read_portfolio(folder, AS_OF)
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(portfolio, AS_OF, datetime.now(UTC)))
    from arrears.services.nightly.aging import age_portfolio

    age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, datetime.now(UTC))
    with engine.begin() as c:  # the demo's mandates run to 2027: keep them valid on the day
        c.execute(text("update agencies set authorized_until = '2027-12-31'"))
    rules = read_rules(rules_path)
    report = timed("allocate (every late account placed)", lambda: allocate_accounts(
        SqlAllocationUnitOfWork(engine), Allocate(AS_OF, "bench", rules), datetime.now(UTC)))
    print(f"  placed {dict(report.placed)}, in house {sum(report.in_house.values()):,}")
    timed("allocate again (nothing to place)", lambda: allocate_accounts(
        SqlAllocationUnitOfWork(engine), Allocate(AS_OF, "bench", rules), datetime.now(UTC)))
    with engine.connect() as c:
        placed = [r[0] for r in c.execute(text("select account_id from placements where status = 'active' "
                                               "order by account_id limit 10000"))]
    timed(f"recall {len(placed):,} by hand", lambda: recall_accounts(
        SqlAllocationUnitOfWork(engine), Recall(tuple(placed), AS_OF, "bench", "benchmark"), datetime.now(UTC)))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "portfolio"
        generate(folder, AS_OF, DemoSize(customers=args.customers, seed=11))
        rules_path = Path(tmp) / "rules.yaml"
        rules_path.write_text(RULES, encoding="utf-8")
        if args.backend in ("sqlite", "both"):
            print(f"SQLite, {args.customers:,} customers")
            bench(f"sqlite:///{Path(tmp) / 'bench.db'}", folder, rules_path)
        if args.backend in ("postgres", "both"):
            name = f"arrears_alloc_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'create database "{name}"'))
            try:
                print(f"PostgreSQL, {args.customers:,} customers")
                bench(f"{PG.rsplit('/', 1)[0]}/{name}", folder, rules_path)
            finally:
                with admin.connect() as c:
                    c.execute(text(f'drop database if exists "{name}" with (force)'))


if __name__ == "__main__":
    main()
