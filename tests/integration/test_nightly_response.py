"""The nightly run refits the response models from the ledger and stores them with the scoring
run, with their held-back check; the next plan reads them (through the configured database) and
says so on every row and in its summary."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, select

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.scoring_tables import scoring_runs
from arrears.bootstrap import ingest_uow, nightly_ports, stored_response_rates
from arrears.domain.aging import DEFAULT_LADDER
from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.response_model import WINDOW_DAYS
from arrears.planning.strategy import Split, load_strategy
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.plan_files import read_capacity, read_portfolio_for_planning
from arrears.services.portfolio_files import read_portfolio
from arrears.services.response_refit import FRESH_DAYS, HOLDOUT_DAYS
from arrears.services.scoring_run import scorecard_fallback
from arrears.settings import Settings

NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 29)


def _night(engine: Engine, cipher: FieldCipher, folder: Path, *, earlier: bool):  # type: ignore[no-untyped-def]
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(folder, AS_OF), AS_OF, NOW))
    if earlier:  # a run on the window's start: its segments are those the refit counts the events in
        back = timedelta(days=WINDOW_DAYS)
        run_nightly(nightly_ports(engine), RunNightly(AS_OF - back, NOW - back, DEFAULT_LADDER, scorecard_fallback()))
    return run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))


def _stored(engine: Engine) -> dict:
    with engine.connect() as connection:
        return json.loads(connection.execute(select(scoring_runs.c.response_rates)
                                             .where(scoring_runs.c.as_of == AS_OF)).scalar_one())


def test_without_a_run_on_the_windows_start_every_segment_gets_the_populations_rates(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    report = _night(engine, cipher, small_demo, earlier=False)
    stored = _stored(engine)
    assert stored["segments_on"] is None and report.scoring.response is not None
    rows = pl.DataFrame(stored["rows"])
    assert (rows["events"].filter(rows["segment"] != "unknown") == 0).all()
    segmented = rows.filter(pl.col("segment") != "unknown")
    assert ((segmented["rate"] - segmented["population"]).abs() < 1e-12).all()
    assert rows.filter(pl.col("kind") == "promise")["used"].all()
    assert "the population's rates" in report.scoring.response.rates.summary()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough customers that 30 days hold more than the minimum evidence of promises and keeps."""
    from arrears.services.demo_generator import DemoSize, generate

    folder = tmp_path_factory.mktemp("response_demo") / "portfolio"
    generate(folder, AS_OF, DemoSize(customers=1000, seed=11))
    return folder


def test_the_nightly_run_stores_the_response_rates_and_their_check_and_the_next_plan_uses_them(
    engine: Engine, cipher: FieldCipher, demo: Path
) -> None:
    small_demo = demo
    report = _night(engine, cipher, small_demo, earlier=True)
    stored = _stored(engine)
    refit = report.scoring.response
    assert refit is not None and stored["fitted_on"] == AS_OF.isoformat() and stored["source"] == "nightly"
    since = AS_OF - timedelta(days=WINDOW_DAYS - 1)
    assert stored["segments_on"] == since.isoformat()  # the events after the earlier run, in its segments
    rows = pl.DataFrame(stored["rows"])
    assert rows.height == 4 * 5 and set(rows["kind"]) == {"promise", "keep", "cure"}  # x 4 segments + unknown
    assert refit.rates.used("promise") and refit.rates.used("keep")
    promise = rows.filter(pl.col("kind") == "promise")
    assert promise["population_events"][0] == refit.rates.events("promise") > 100
    assert promise["events"].sum() == promise["population_events"][0]
    assert promise.filter(pl.col("segment") != "unknown")["events"].sum() > 0
    assert {r["kind"] for r in stored["calibration"]["scores"]} >= {"promise"}
    assert stored["calibration"]["split"] == (AS_OF + timedelta(days=1 - HOLDOUT_DAYS)).isoformat()

    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    rates = stored_response_rates(AS_OF + timedelta(days=1), settings)
    assert rates is not None and rates.source == "nightly" and rates.table.equals(refit.rates.table)
    assert stored_response_rates(AS_OF + timedelta(days=FRESH_DAYS + 1), settings) is None  # too old: fit instead
    assert stored_response_rates(AS_OF - timedelta(days=1), settings) is None  # none before the plan's date

    strategy = load_strategy("default")
    strategy = strategy.model_copy(update={"models": strategy.models.model_copy(update={"response": True})})
    portfolio = read_portfolio_for_planning(small_demo, AS_OF + timedelta(days=1))
    result = make_plan(portfolio, read_capacity(None, small_demo), Split(strategy), default_gate(), response=rates)
    assert "nightly refit of 2026-11-29" in result.stats.response
    calls = result.plan.filter(pl.col("channel") == "call")["reason"].to_list()
    assert calls and all("P(promise | reached)" in r and "nightly refit of 2026-11-29" in r for r in calls)


def test_without_a_database_the_plan_finds_no_stored_rates(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert stored_response_rates(AS_OF, settings) is None
