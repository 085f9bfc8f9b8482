"""Scoring in the nightly run, on real SQLite and PostgreSQL: scores stored by date with their
reasons, a re-run duplicates nothing, and nothing after the date reaches that date's scores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, insert, select

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.scoring_reader import read_scoring_frames
from arrears.adapters.storage.scoring_tables import account_scores, scoring_runs
from arrears.bootstrap import ingest_uow, nightly_ports
from arrears.domain.aging import DEFAULT_LADDER
from arrears.domain.vocabulary import Segment
from arrears.entrypoints.cli.score_cli import read_portfolio as read_files
from arrears.scoring.features import compute_features
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.portfolio_files import read_portfolio
from arrears.services.scoring_run import SCORECARD_ID, load_scoring_model, scorecard_fallback

NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 29)


def _load(engine: Engine, cipher: FieldCipher, folder: Path) -> None:
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(folder, AS_OF), AS_OF, NOW))


def _scores(engine: Engine, as_of: date) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(select(account_scores).where(account_scores.c.as_of == as_of)
                                  .order_by(account_scores.c.account_id)).mappings().all()
    return pl.DataFrame([dict(r) for r in rows])


def test_every_delinquent_account_is_scored_and_stored_by_date_with_its_reasons(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    report = run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    stored = _scores(engine, AS_OF)
    with engine.connect() as connection:
        delinquent = connection.execute(select(func.count()).select_from(t.accounts).where(
            (t.accounts.c.past_due_cents > 0) | (t.accounts.c.oldest_unpaid_due_date < AS_OF))).scalar()
        run = connection.execute(select(scoring_runs)).mappings().one()
    assert stored.height == report.scoring.accounts == delinquent > 50
    assert set(stored["segment"]) <= {s.value for s in Segment}
    assert sum(line.accounts for line in report.scoring.segments) == stored.height
    assert sum(line.balance_cents for line in report.scoring.segments) == stored["balance_cents"].sum()
    for k in (1, 2, 3):
        assert stored[f"reason_{k}_code"].str.len_chars().min() > 0
        assert stored[f"reason_{k}_zh"].str.contains(r"[\u4e00-\u9fff]").all()
        assert stored[f"reason_{k}_en"].str.contains("[a-z]").all()
    assert (stored["model_kind"] == "scorecard").all() and (stored["model_id"] == SCORECARD_ID).all()
    assert (run["model_kind"], run["accounts"]) == ("scorecard", stored.height)
    assert "sqrt(ability x willingness)" in run["model_note"]


def test_the_scores_from_the_database_equal_the_scores_from_the_portfolio_files(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    with engine.connect() as connection:
        frames = read_scoring_frames(connection, AS_OF)
    from_db = compute_features(frames.pop("accounts"), as_of=AS_OF, **{k: v for k, v in frames.items()
                                                                         if k != "aging"})
    files = read_files(small_demo, AS_OF)
    from_files = compute_features(files.pop("accounts"), as_of=AS_OF, **files)
    assert from_db.columns == from_files.columns
    assert from_db.equals(from_files)


def test_running_the_same_date_again_replaces_its_scores_and_duplicates_nothing(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    first = _scores(engine, AS_OF)
    later = NOW + timedelta(hours=1)
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, later, DEFAULT_LADDER, scorecard_fallback()))
    second = _scores(engine, AS_OF)
    with engine.connect() as connection:
        runs = connection.execute(select(func.count()).select_from(scoring_runs)).scalar()
    assert second.height == first.height
    assert second.equals(first)
    assert runs == 1


def test_a_payment_after_the_date_never_changes_that_dates_scores(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    _load(engine, cipher, small_demo)
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    before = _scores(engine, AS_OF)
    with engine.connect() as connection:
        before_features = compute_features(**_as_features_args(read_scoring_frames(connection, AS_OF)))
    target = before.filter(pl.col("reason_1_code") != "")["account_id"][0]
    late = [(f"LATE{i}", target, at, 9_999_999) for i, at in enumerate([
        datetime(2026, 11, 29, 16, 0, tzinfo=UTC),   # 30 Nov 00:00 in Shanghai: the next day there
        datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
    ])]
    with engine.begin() as connection:
        for payment_id, account_id, at, cents in late:
            connection.execute(insert(t.payments).values(
                payment_id=payment_id, account_id=account_id, paid_at=at, amount_cents=cents,
                channel="bank_transfer", reversed=False, row_digest="x" * 32))
    run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    with engine.connect() as connection:
        after_features = compute_features(**_as_features_args(read_scoring_frames(connection, AS_OF)))
        week_later = read_scoring_frames(connection, AS_OF + timedelta(days=7))
    assert _scores(engine, AS_OF).equals(before)
    assert after_features.equals(before_features)
    # The same payments do count from the dates they belong to.
    args = _as_features_args(week_later) | {"as_of": AS_OF + timedelta(days=7)}
    seen = compute_features(**args).filter(pl.col("account_id") == target)
    assert seen["days_since_last_payment"][0] == 1  # paid 5 Dec (Shanghai), seen on 6 Dec


def test_promises_logged_in_the_workbench_count_in_the_features_and_a_reserved_call_does_not(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    from arrears.adapters.storage.gate_tables import contact_attempts

    _load(engine, cipher, small_demo)
    with engine.connect() as connection:
        before = compute_features(**_as_features_args(read_scoring_frames(connection, AS_OF)))
    target = before.filter(pl.col("promises_made") == 0)["account_id"][0]
    base = {"account_id": target, "customer_id": "C", "channel": "call", "direction": "outbound",
            "dispute": False, "complaint": False, "logged_by": "U1", "party": "debtor", "automated": False,
            "purpose": "collection"}
    with engine.begin() as connection:
        connection.execute(insert(contact_attempts).values(
            attempt_id="W1", contact_id="W1", at=datetime(2026, 11, 10, 2, tzinfo=UTC), outcome="conversation",
            promise_amount_cents=50_000, promise_date=date(2026, 11, 15), **base))
        connection.execute(insert(contact_attempts).values(
            attempt_id="W2", contact_id="W2", at=datetime(2026, 11, 28, 2, tzinfo=UTC), **base))
    with engine.connect() as connection:
        after = compute_features(**_as_features_args(read_scoring_frames(connection, AS_OF)))
    row = after.filter(pl.col("account_id") == target).row(0, named=True)
    old = before.filter(pl.col("account_id") == target).row(0, named=True)
    assert (row["promises_made"], row["promises_broken"]) == (1, 1)  # nothing paid 10-17 Nov
    assert row["contact_attempts"] == old["contact_attempts"] + 1


def _as_features_args(frames: dict[str, pl.DataFrame]) -> dict:
    return {"accounts": frames.pop("accounts"), "as_of": AS_OF, **frames}


def test_a_missing_propensity_model_folder_falls_back_to_the_scorecard_and_says_so(tmp_path: Path) -> None:
    assert load_scoring_model(None).kind == "scorecard"
    fallback = load_scoring_model(tmp_path / "nowhere")
    assert fallback.kind == "scorecard"
    assert "no model.txt" in fallback.propensity.message


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_own_propensity_model_is_used_and_recorded_when_configured(
    engine: Engine, cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    from arrears.scoring.modelling import TrainConfig, save_model
    from arrears.scoring.propensity import train_propensity

    model_dir = tmp_path / "propensity"
    trained = train_propensity(_payer_history(), [date(2026, 9, 30), date(2026, 10, 31)],
                               history_until=date(2026, 11, 30), config=TrainConfig(folds=3, rounds=30))
    assert trained.kind == "own"
    save_model(trained.model, model_dir, {"file": "synthetic", "sha256": "", "rows": trained.rows})
    _load(engine, cipher, small_demo)
    model = load_scoring_model(model_dir)
    report = run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, model))
    stored = _scores(engine, AS_OF)
    assert report.scoring.model_kind == "own"
    assert (stored["model_kind"] == "own").all() and (stored["model_id"] == "propensity").all()
    assert stored["model_version"][0] == model.version and len(model.version) == 16
    geometric = (stored["ability"] * stored["willingness"]).sqrt().round(4)
    assert not stored["propensity"].equals(geometric)


def _payer_history() -> dict[str, pl.DataFrame]:
    import numpy as np

    rng = np.random.default_rng(5)
    snaps, pays = [], []
    for i in range(400):
        payer = rng.random() < 0.5
        for d in (date(2026, 9, 30), date(2026, 10, 31)):
            snaps.append({"account_id": f"H{i}", "customer_id": f"HC{i}", "snapshot_date": d.isoformat(),
                          "balance": "1000.00", "min_payment": "100.00", "past_due_amount": "100.00",
                          "oldest_unpaid_due_date": (d - timedelta(days=20 + i % 60)).isoformat()})
            if rng.random() < (0.85 if payer else 0.1):
                at = d + timedelta(days=int(rng.integers(1, 25)))
                pays.append({"payment_id": f"HP{i}-{d}", "account_id": f"H{i}",
                             "paid_at": f"{at.isoformat()}T10:00:00+08:00", "amount": "150.00"})
    return {"accounts": pl.DataFrame(snaps), "payments": pl.DataFrame(pays)}


def _refit(engine: Engine, as_of: date, column: str) -> dict:
    import json

    with engine.connect() as connection:
        stored = connection.execute(select(scoring_runs.c[column]).where(scoring_runs.c.as_of == as_of)).scalar()
    return json.loads(stored)


def test_without_balance_history_30_days_back_the_ability_weights_stay_the_judgement_and_the_run_says_why(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    from arrears.scoring.weight_refit import ABILITY_PRIOR

    _load(engine, cipher, small_demo)
    report = run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    assert report.scoring.ability is not None and not report.scoring.ability.used
    stored = _refit(engine, AS_OF, "ability_weights")
    assert stored["weights"] == ABILITY_PRIOR and stored["used"] is False
    assert stored["note_en"] == "no balance history 30 days back: judgement weights kept"


def test_the_ability_refit_reads_the_balances_the_nearest_run_before_the_look_back_date_stored(
    engine: Engine, cipher: FieldCipher, small_demo: Path
) -> None:
    from arrears.scoring.weight_refit import held_out

    _load(engine, cipher, small_demo)
    earlier = AS_OF - timedelta(days=32)
    run_nightly(nightly_ports(engine), RunNightly(earlier, NOW - timedelta(days=32), DEFAULT_LADDER,
                                                  scorecard_fallback()))
    with engine.begin() as connection:  # the balances move after that run: the refit must not see it
        connection.execute(t.accounts.update().values(balance_cents=1, past_due_cents=0))
        then = connection.execute(select(t.account_aging.c.account_id, t.account_aging.c.min_payment_cents)
                                  .where(t.account_aging.c.as_of == earlier,
                                         (t.account_aging.c.dpd > 0) | (t.account_aging.c.past_due_cents > 0))
                                  ).all()
    report = run_nightly(nightly_ports(engine), RunNightly(AS_OF, NOW, DEFAULT_LADDER, scorecard_fallback()))
    stored = _refit(engine, AS_OF, "ability_weights")
    ids = [account_id for account_id, _ in then]
    assert all(cents is not None for _, cents in then) and len(ids) > 50
    assert stored["components_as_of"] == earlier.isoformat()
    assert stored["accounts"] == len(ids) - int(held_out(ids).sum())
    assert "too little history" in stored["note_en"]  # 300 customers: fewer than 1,000 accounts to fit on
    assert report.scoring.ability is not None and report.scoring.ability.accounts == stored["accounts"]
