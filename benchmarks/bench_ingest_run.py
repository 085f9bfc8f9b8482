"""Benchmark: generate, ingest and age a 1,000,000-account portfolio on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_ingest_run.py [--customers 1000000] [--backend sqlite|postgres|both]
        [--folder DIR] [--ingest-only]

Prints rows per second for each stage; results are recorded in docs/benchmarks.md.
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
from arrears.adapters.storage.database import make_engine, migrate
from arrears.bootstrap import ingest_uow, nightly_uow
from arrears.domain.aging import DEFAULT_LADDER
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.aging import age_portfolio
from arrears.services.portfolio_files import read_portfolio

AS_OF = date(2026, 11, 29)
PG = os.environ.get("ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def timed(label: str, rows: int, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<28} {seconds:8.1f} s   {rows / seconds:>12,.0f} rows/s   ({rows:,} rows)", flush=True)
    return result, seconds


def bench(url: str, folder: Path, counts: dict[str, int], ingest_only: bool = False) -> None:
    engine = make_engine(url)
    migrate(engine)
    cipher = FieldCipher(os.urandom(32), os.urandom(32))
    total = sum(counts.values())
    portfolio, t_validate = timed("read + validate", total, lambda: read_portfolio(folder, AS_OF))
    _, t_load = timed("load (one transaction)", total, lambda: ingest_portfolio(
        ingest_uow(engine, cipher), IngestPortfolio(portfolio, AS_OF, datetime.now(UTC))))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  {'ingest total':<28} {t_validate + t_load:8.1f} s   (load average {load})", flush=True)
    if ingest_only:
        engine.dispose()
        return
    accounts = counts["accounts"]
    aging = nightly_uow(engine)
    timed("nightly run (first)", accounts, lambda: age_portfolio(aging, AS_OF, DEFAULT_LADDER, datetime.now(UTC)))
    timed("nightly run (next day)", accounts, lambda: age_portfolio(
        aging, date(2026, 11, 30), DEFAULT_LADDER, datetime.now(UTC)))
    timed("nightly re-run same day", accounts, lambda: age_portfolio(
        aging, date(2026, 11, 30), DEFAULT_LADDER, datetime.now(UTC)))
    portfolio2 = read_portfolio(folder, AS_OF)
    portfolio2.digest = "re-ingest-" + portfolio2.digest[:20]  # force the row-by-row path
    timed("re-ingest unchanged (rows)", total, lambda: ingest_portfolio(
        ingest_uow(engine, cipher), IngestPortfolio(portfolio2, AS_OF, datetime.now(UTC))))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--ingest-only", action="store_true", help="skip the nightly runs and the re-ingest")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arrears-bench-"))
    folder = args.folder or work / "portfolio"
    if (folder / "accounts.csv").exists():
        import polars as pl

        counts = {p.stem: pl.scan_csv(p).select(pl.len()).collect().item() for p in folder.glob("*.csv")}
        counts.pop("capacity", None)
    else:
        counts, _ = timed("generate", args.customers, lambda: generate(
            folder, AS_OF, DemoSize(customers=args.customers)))
    print("  rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if args.backend in ("sqlite", "both"):
        print("SQLite")
        bench(f"sqlite:///{work / 'bench.db'}", folder, counts, args.ingest_only)
    if args.backend in ("postgres", "both"):
        name = f"arrears_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        print("PostgreSQL")
        try:
            bench(f"{PG.rsplit('/', 1)[0]}/{name}", folder, counts, args.ingest_only)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
