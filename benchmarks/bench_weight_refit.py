"""Benchmark: the nightly refit of the ability and willingness weights on the demo portfolio.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_weight_refit.py [--folder /tmp/refit100k]
        [--customers 100000] [--as-of 2026-11-29]

Generates the demo portfolio into ``--folder`` unless it holds one, ingests it into a fresh SQLite
database (in a temporary folder), ages it as of 30 days before ``--as-of`` (so the aging history
holds the balances of that date, as a nightly run then would have stored them), then, as the
scoring step of the nightly run on ``--as-of`` does: reads the frames and the stored balances, and
times the willingness refit, the ability refit and the scoring itself (wall and process CPU, which
counts the polars threads). Prints each refit's counts, held-out AUCs, decision and weights.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<40} {wall:7.2f} s wall {cpu:7.2f} s CPU", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path("/tmp/refit100k"))
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--as-of", default="2026-11-29")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    from arrears.adapters.crypto import FieldCipher
    from arrears.adapters.storage.database import make_engine, migrate
    from arrears.adapters.storage.scoring_reader import read_scoring_frames, read_stored_balances
    from arrears.bootstrap import ingest_uow, nightly_uow
    from arrears.domain.aging import DEFAULT_LADDER
    from arrears.scoring.segments import Thresholds
    from arrears.scoring.weight_refit import BALANCE_SLACK_DAYS, look_back, refit_ability, refit_willingness
    from arrears.services.demo_generator import DemoSize, generate
    from arrears.services.ingest import IngestPortfolio, ingest_portfolio
    from arrears.services.nightly.aging import age_portfolio
    from arrears.services.portfolio_files import read_portfolio
    from arrears.services.scoring_run import score_frames, scorecard_fallback

    if not (args.folder / "accounts.csv").exists():
        timed(f"(setup) generate {args.customers:,} customers",
              lambda: generate(args.folder, as_of, DemoSize(customers=args.customers)))
    then = look_back(as_of)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/refit.db")
        migrate(engine)
        cipher = FieldCipher(os.urandom(32), os.urandom(32))
        portfolio = timed("(setup) read the files", lambda: read_portfolio(args.folder, as_of))
        timed("(setup) ingest", lambda: ingest_portfolio(
            ingest_uow(engine, cipher), IngestPortfolio(portfolio, as_of, datetime.now(UTC))))
        timed(f"(setup) age as of {then}", lambda: age_portfolio(
            nightly_uow(engine), then, DEFAULT_LADDER, datetime.now(UTC)))
        with engine.connect() as connection:
            frames = timed("read the scoring frames", lambda: read_scoring_frames(connection, as_of))
            balances = timed("read the stored balances", lambda: read_stored_balances(
                connection, then - timedelta(days=BALANCE_SLACK_DAYS), then))
    willingness = timed("refit willingness", lambda: refit_willingness(frames, as_of))
    ability = timed("refit ability", lambda: refit_ability(frames, balances, as_of))
    scored = timed("score (features, scorecard, reasons)", lambda: score_frames(
        frames, as_of, scorecard_fallback(), Thresholds(), willingness_weights=willingness.weights,
        ability_weights=ability.weights))
    print(f"  scored {scored.height:,} accounts")
    for name, fit in (("willingness", willingness), ("ability", ability)):
        print(f"{name}: as of {fit.components_as_of}, {fit.accounts:,} accounts in the fit, {fit.payers:,} paid; "
              f"held-out AUC judgement {fit.auc_prior}, fitted {fit.auc_fitted}; {fit.note_en}")
        print(f"  weights {dict(fit.weights)}")


if __name__ == "__main__":
    main()
