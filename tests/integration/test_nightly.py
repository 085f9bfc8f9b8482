"""The nightly run on real SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.bootstrap import ingest_uow, nightly_ports, nightly_uow
from arrears.domain.aging import DEFAULT_LADDER, days_past_due
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.aging import age_portfolio
from arrears.services.nightly.job import NothingIngested, RunNightly, run_nightly
from arrears.services.portfolio_files import read_portfolio
from arrears.services.scoring_run import scorecard_fallback

NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 29)


def _load(engine: Engine, cipher: FieldCipher, folder: Path) -> None:
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(folder, AS_OF), AS_OF, NOW))


def _rows(engine: Engine, table: t.Table) -> list[tuple]:
    with engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(select(table)).all())


def test_every_account_is_aged_by_the_domain_rule(engine: Engine, cipher: FieldCipher, small_demo: Path) -> None:
    _load(engine, cipher, small_demo)
    report = age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW)
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    assert report.accounts == accounts.height
    disputed = set(accounts.filter(pl.col("flags") == "dispute")["account_id"])
    with engine.connect() as connection:
        aged = dict(connection.execute(
            select(t.account_aging.c.account_id, t.account_aging.c.dpd).where(t.account_aging.c.as_of == AS_OF)
        ).all())
    for account_id, oldest in accounts.select("account_id", "oldest_unpaid_due_date").iter_rows():
        if account_id in disputed:
            continue
        expected = days_past_due(date.fromisoformat(oldest) if oldest else None, AS_OF)
        assert aged[account_id] == expected


def test_a_disputed_account_does_not_age_while_the_dispute_is_open(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "disputed"
    shutil.copytree(small_demo, folder)
    frame = pl.read_csv(folder / "accounts.csv", infer_schema=False)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("dispute")).otherwise(pl.col("flags")).alias("flags")
    ).write_csv(folder / "accounts.csv")
    small_demo = folder
    _load(engine, cipher, small_demo)
    age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW)
    later = date(2026, 12, 9)
    age_portfolio(nightly_uow(engine), later, DEFAULT_LADDER, NOW)
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    disputed = accounts.filter(pl.col("flags") == "dispute")["account_id"][0]
    normal = accounts.filter(pl.col("flags").is_null())["account_id"][0]
    g = t.account_aging.c
    with engine.connect() as connection:
        def dpd(account: str, day: date) -> int:
            return connection.execute(select(g.dpd).where(g.account_id == account, g.as_of == day)).scalar_one()

        assert dpd(normal, later) - dpd(normal, AS_OF) == 10
        assert dpd(disputed, later) == dpd(disputed, AS_OF)


def test_rerunning_the_same_date_gives_the_same_result_and_duplicates_nothing(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW)
    second = age_portfolio(nightly_uow(engine), date(2026, 12, 20), DEFAULT_LADDER, NOW)
    state = [_rows(engine, table) for table in (t.account_aging, t.bucket_transitions, t.roll_rates)]
    again = age_portfolio(nightly_uow(engine), date(2026, 12, 20), DEFAULT_LADDER, NOW)
    assert [_rows(engine, table) for table in (t.account_aging, t.bucket_transitions, t.roll_rates)] == state
    assert again.buckets == second.buckets and again.roll_counts == second.roll_counts


def test_bucket_changes_are_recorded_with_their_date_and_direction(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW)
    later = date(2026, 12, 29)
    report = age_portfolio(nightly_uow(engine), later, DEFAULT_LADDER, NOW)
    b = t.bucket_transitions.c
    with engine.connect() as connection:
        moved = connection.execute(select(b.from_bucket, b.to_bucket, b.direction).where(b.on == later)).all()
        total = connection.execute(select(func.count()).select_from(t.bucket_transitions)).scalar_one()
    assert len(moved) == report.transitions > 0
    assert all(m.direction == "roll_forward" for m in moved)
    assert all(DEFAULT_LADDER.rank(m.to_bucket) == DEFAULT_LADDER.rank(m.from_bucket) + 1 for m in moved)
    assert total == report.transitions + age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW).transitions


def test_roll_rates_compare_with_the_previous_run(engine: Engine, cipher: FieldCipher, small_demo: Path) -> None:
    _load(engine, cipher, small_demo)
    first = age_portfolio(nightly_uow(engine), AS_OF, DEFAULT_LADDER, NOW)
    assert first.previous_as_of is None and first.roll_counts == {}
    second = age_portfolio(nightly_uow(engine), date(2026, 12, 29), DEFAULT_LADDER, NOW)
    assert second.previous_as_of == AS_OF
    total = sum(sum(row.values()) for row in second.roll_counts.values())
    assert total == second.accounts
    m1 = next(line for line in first.buckets if line.bucket == "M1").accounts
    assert sum(second.roll_counts["M1"].values()) == m1


def test_the_nightly_job_on_a_database_nothing_was_ingested_into_says_so_and_writes_nothing(engine: Engine) -> None:
    with pytest.raises(NothingIngested, match="nothing ingested yet"):
        run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    assert _rows(engine, t.aging_runs) == []


def test_a_snapshot_without_accounts_gives_an_empty_nightly_run(
    engine: Engine, cipher: FieldCipher, tmp_path: Path
) -> None:
    for name, header in (("customers", "customer_id,name"),
                         ("accounts", "account_id,customer_id,balance,past_due_amount"),
                         ("contact_points", "contact_point_id,customer_id,kind,value,owner")):
        (tmp_path / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    _load(engine, cipher, tmp_path)
    report = run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    assert (report.aging.accounts, report.aging.balance_cents, report.scoring.accounts) == (0, 0, 0)


def test_a_failure_while_storing_scores_keeps_the_committed_aging_and_writes_no_score(
    engine: Engine, cipher: FieldCipher, small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arrears.adapters.storage import nightly_store
    from arrears.adapters.storage.scoring_tables import account_scores, scoring_runs

    _load(engine, cipher, small_demo)
    real = nightly_store.SqlScores.replace

    def store_then_fail(self, as_of, scores, run):  # type: ignore[no-untyped-def]
        real(self, as_of, scores, run)
        raise RuntimeError("disk full")

    monkeypatch.setattr(nightly_store.SqlScores, "replace", store_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    assert len(_rows(engine, t.aging_runs)) == 1 and _rows(engine, t.account_aging)
    assert _rows(engine, account_scores) == [] and _rows(engine, scoring_runs) == []
