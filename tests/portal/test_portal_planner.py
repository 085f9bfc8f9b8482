"""The planner uses what the customer chose on their page from the next plan: `arrears plan` reads
the stored preferences from the configured database and lays them over the portfolio's file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.portal_repository import SqlPreferences
from arrears.domain.portal import Preferences
from arrears.entrypoints.cli.main import app
from arrears.services.demo_generator import DemoSize, generate
from arrears.settings import get_settings


def _plan(folder: Path, out: Path) -> pl.DataFrame:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29",
                                      "--capacity", str(folder / "capacity.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return pl.read_csv(out, infer_schema=False)


def test_an_sms_opt_out_stored_on_the_page_keeps_sms_out_of_the_next_plan(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=300, seed=3))
    database = tmp_path / "arrears.db"
    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{database}")
    before = _plan(folder, tmp_path / "before.csv")  # no database yet: the file's preferences alone
    texted = before.filter(pl.col("channel") == "sms")["customer_id"].unique().sort().to_list()
    assert texted, "the demo plans some SMS"
    chosen = texted[:3]
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    with engine.begin() as connection:
        for customer in chosen:
            SqlPreferences(connection).save(customer, Preferences("call", "19-21", ("sms",)), "L" * 16,
                                            datetime(2026, 11, 28, tzinfo=UTC))
    engine.dispose()
    after = _plan(folder, tmp_path / "after.csv")
    assert after.filter(pl.col("customer_id").is_in(chosen) & (pl.col("channel") == "sms")).height == 0
    others = [c for c in texted if c not in chosen]
    assert after.filter(pl.col("customer_id").is_in(others) & (pl.col("channel") == "sms")).height > 0
    get_settings.cache_clear()
