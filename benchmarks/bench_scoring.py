"""Benchmark: the nightly scoring of a 1,000,000-account portfolio (issue 4).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_scoring.py [--folder /tmp/bench1m]
        [--customers 1000000] [--as-of 2026-11-29] [--row-sample 50000] [--database URL | --postgres]

Generates the demo portfolio into ``--folder`` unless it already holds one (accounts.csv),
then times, as the nightly run does them: reading the tables into polars frames, the
features as of the date (``scoring.features.compute_features``), and the ability x willingness
scorecard with segments and worded reasons (``segments.assess_detailed``, set-based). For
comparison it times the row-by-row ``assess_row`` on ``--row-sample`` delinquent accounts
and extrapolates. With ``--database`` (an ingested and aged database), or ``--postgres`` (ingest
the folder into a fresh PostgreSQL database first, untimed, dropped afterwards), it times
``scoring_run.score_accounts`` instead: read from the database, score, store ``account_scores``.

Memory: the process's peak resident set size (``resource.getrusage``) after each stage;
polars allocates outside Python, so tracemalloc would not see it.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.2f} s   peak RSS {peak_mib():8,.0f} MiB", flush=True)
    return result, seconds


def ensure_portfolio(folder: Path, as_of: date, customers: int) -> None:
    if (folder / "accounts.csv").exists():
        print(f"reusing the portfolio in {folder}")
        return
    from arrears.services.demo_generator import DemoSize, generate

    timed(f"generate {customers:,} customers", lambda: generate(folder, as_of, DemoSize(customers=customers)))


def bench_files(folder: Path, as_of: date, sample: int) -> None:
    from arrears.entrypoints.cli.score_cli import read_portfolio
    from arrears.scoring.features import compute_features
    from arrears.scoring.segments import Thresholds, assess_detailed, assess_row, is_delinquent

    frames, _ = timed("read the portfolio files (CSV, as text)", lambda: read_portfolio(folder, as_of))
    accounts = frames.pop("accounts")
    print(f"  accounts {accounts.height:,}; " + ", ".join(f"{k} {v.height:,}" for k, v in frames.items()))
    features, t_features = timed("features as of the date", lambda: compute_features(
        accounts, as_of=as_of, **frames))
    scored, t_assess = timed("scorecard, segments, reasons (set-based)", lambda: assess_detailed(features))
    print(f"  delinquent accounts scored: {scored.height:,}; "
          f"features + scoring {t_features + t_assess:.1f} s = "
          f"{features.height / (t_features + t_assess):,.0f} accounts/s")
    print(scored.group_by("segment").len().sort("segment"))
    rows = features.filter(is_delinquent()).head(sample)
    thresholds = Thresholds()
    _, t_rows = timed(f"row-by-row assess_row on {rows.height:,} accounts",
                      lambda: [assess_row(r, thresholds) for r in rows.iter_rows(named=True)])
    print(f"  row-by-row, extrapolated to {scored.height:,}: {t_rows * scored.height / rows.height:,.1f} s")


def bench_database(url: str, as_of: date) -> None:
    from arrears.adapters.storage.database import make_engine
    from arrears.adapters.storage.scoring_reader import read_scoring_frames
    from arrears.services.scoring_run import score_accounts, scorecard_fallback

    engine = make_engine(url)
    with engine.connect() as connection:
        frames, _ = timed("read the scoring frames from the database", lambda: read_scoring_frames(
            connection, as_of))
    print("  " + ", ".join(f"{k} {v.height:,}" for k, v in frames.items()))
    del frames
    with engine.begin() as connection:
        report, seconds = timed("score_accounts: read, score, store", lambda: score_accounts(
            connection, as_of, datetime.now(UTC), scorecard_fallback()))
    print(f"  stored {report.accounts:,} scores ({report.accounts / seconds:,.0f} accounts/s)")


def ingest_into_postgres(folder: Path, as_of: date) -> tuple[str, object]:
    """A fresh PostgreSQL database with the portfolio ingested and aged (timed, not counted)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    from arrears.adapters.crypto import FieldCipher
    from arrears.adapters.storage.database import make_engine, migrate
    from arrears.bootstrap import ingest_uow, nightly_uow
    from arrears.domain.aging import DEFAULT_LADDER
    from arrears.services.ingest import IngestPortfolio, ingest_portfolio
    from arrears.services.nightly.aging import age_portfolio
    from arrears.services.portfolio_files import read_portfolio

    pg = os.environ.get("ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"arrears_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{pg.rsplit('/', 1)[0]}/{name}"
    engine = make_engine(url)
    migrate(engine)
    cipher = FieldCipher(os.urandom(32), os.urandom(32))
    portfolio, _ = timed("(setup) read + validate the files", lambda: read_portfolio(folder, as_of))
    timed("(setup) ingest into PostgreSQL", lambda: ingest_portfolio(
        ingest_uow(engine, cipher), IngestPortfolio(portfolio, as_of, datetime.now(UTC))))
    portfolio = None  # free the validated frames before scoring
    timed("(setup) age the accounts", lambda: age_portfolio(
        nightly_uow(engine), as_of, DEFAULT_LADDER, datetime.now(UTC)))
    engine.dispose()
    return url, lambda: _drop(admin, name)


def _drop(admin, name: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench1m"))
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--as-of", default="2026-11-29")
    parser.add_argument("--row-sample", type=int, default=50_000)
    parser.add_argument("--database", default=None, help="an ingested, aged database URL")
    parser.add_argument("--postgres", action="store_true",
                        help="ingest the folder into a fresh PostgreSQL database, then time scoring from it")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    pl.Config.set_tbl_rows(10)
    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads")
    if args.database:
        bench_database(args.database, as_of)
        return
    if args.postgres:
        ensure_portfolio(args.folder, as_of, args.customers)
        url, drop = ingest_into_postgres(args.folder, as_of)
        try:
            bench_database(url, as_of)
        finally:
            drop()  # type: ignore[operator]
        return
    ensure_portfolio(args.folder, as_of, args.customers)
    bench_files(args.folder, as_of, args.row_sample)


if __name__ == "__main__":
    main()
