"""The modelling workflow: train -> folder -> score, and clear refusals of bad score files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app
from arrears.scoring.modelling import (
    REFERENCE_MODEL_DIR,
    TrainConfig,
    load_model,
    read_monotone_file,
    save_model,
    score_file,
    train_file,
)
from arrears.scoring.tabular import DataFileError

FAST = TrainConfig(folds=3, rounds=40, compare_protected=True)


def _synthetic(path: Path, rows: int = 600, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    late = rng.integers(0, 4, rows)
    income = rng.normal(10000, 3000, rows).round(2)
    region = rng.choice(["north", "south", "west"], rows)
    sex = rng.choice(["1", "2"], rows)
    logit = -1.5 + 0.9 * late - 0.0001 * (income - 10000) + (region == "west") * 0.5
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    pl.DataFrame({
        "cid": [f"C{i:04d}" for i in range(rows)], "late_months": late, "income": income,
        "region": region, "SEX": sex, "bad": y,
    }).write_csv(path)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("model")
    data = _synthetic(folder / "train.csv")
    model, sha = train_file(data, "bad", "cid", FAST)
    save_model(model, folder / "m", {"file": data.name, "sha256": sha})
    return folder / "m", data


def test_a_model_folder_holds_everything_needed_to_score_again(trained) -> None:
    folder, _ = trained
    for name in ("model.txt", "calibrator.json", "scorecard.json", "features.json",
                 "metrics.json", "training_data.json", "card.md", "calibration.png",
                 "importance.png"):
        assert (folder / name).exists(), name
    metrics = json.loads((folder / "metrics.json").read_text())
    assert len(metrics["lightgbm"]["per_fold"]) == 3
    low, high = metrics["scorecard"]["roc_auc"]["ci95"]
    assert low <= metrics["scorecard"]["roc_auc"]["mean"] <= high
    assert metrics["lightgbm"]["roc_auc"]["mean"] > 0.65


def test_protected_columns_are_left_out_by_default_and_the_other_choice_is_reported(
    trained,
) -> None:
    folder, _ = trained
    features = json.loads((folder / "features.json").read_text())
    assert features["protected"] == ["SEX"]
    assert "SEX" not in features["features"]
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["protected_comparison"]["protected_used_in_comparison"] is True
    assert "SEX" in (folder / "card.md").read_text()


def test_a_round_trip_scores_the_training_rows_the_same_as_the_model_in_memory(trained) -> None:
    folder, data = trained
    scores = score_file(folder, data)
    assert scores.columns == ["cid", "probability", "reason_1", "reason_2", "reason_3"]
    assert scores["cid"][0] == "C0000"
    assert scores["probability"].is_between(0, 1).all()
    again = score_file(folder, data)
    assert scores.equals(again)
    model = load_model(folder)
    assert model.schema.features == ["late_months", "income", "region"]


def test_the_riskiest_rows_give_late_months_among_their_reasons(trained) -> None:
    folder, data = trained
    scores = score_file(folder, data).join(pl.read_csv(data, infer_schema=False), on="cid")
    top = scores.filter(pl.col("late_months") == "3")
    named = pl.concat_str("reason_1", "reason_2", "reason_3").str.contains(
        "late_months: late_months 偏高", literal=True)
    assert top.select(named.mean()).item() > 0.95
    current = scores.filter(pl.col("late_months") == "0")
    assert not current.select(named.any()).item()


def test_training_is_reproducible_with_a_seed(tmp_path) -> None:
    data = _synthetic(tmp_path / "t.csv", rows=300)
    first, _ = train_file(data, "bad", "cid", TrainConfig(folds=2, rounds=20,
                                                         compare_protected=False))
    second, _ = train_file(data, "bad", "cid", TrainConfig(folds=2, rounds=20,
                                                          compare_protected=False))
    assert np.array_equal(first.oof["raw"], second.oof["raw"])


def _rewrite(data: Path, out: Path, transform) -> Path:
    transform(pl.read_csv(data, infer_schema=False)).write_csv(out)
    return out


def test_a_score_file_without_a_training_column_is_refused_naming_it(trained, tmp_path) -> None:
    folder, data = trained
    bad = _rewrite(data, tmp_path / "x.csv", lambda f: f.drop("income"))
    with pytest.raises(DataFileError, match=r"x\.csv:1: missing training column\(s\): income"):
        score_file(folder, bad)


def test_a_score_file_with_an_unknown_column_is_refused(trained, tmp_path) -> None:
    folder, data = trained
    bad = _rewrite(data, tmp_path / "x.csv", lambda f: f.with_columns(pl.lit("1").alias("zz")))
    with pytest.raises(DataFileError, match=r"x\.csv:1: unknown column\(s\).*zz"):
        score_file(folder, bad)


def test_a_non_number_is_refused_with_its_line_and_column(trained, tmp_path) -> None:
    folder, data = trained
    bad = _rewrite(data, tmp_path / "x.csv", lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("12k")).otherwise(pl.col("income"))
        .alias("income")))
    with pytest.raises(DataFileError, match=r"x\.csv:6: income: '12k' is not a number"):
        score_file(folder, bad)


def test_an_unseen_category_is_refused_with_its_line(trained, tmp_path) -> None:
    folder, data = trained
    bad = _rewrite(data, tmp_path / "x.csv", lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("east")).otherwise(pl.col("region"))
        .alias("region")))
    with pytest.raises(DataFileError, match=r"x\.csv:2: region: 'east' is not one of"):
        score_file(folder, bad)


def test_the_target_column_and_an_excluded_protected_column_may_be_absent(
    trained, tmp_path
) -> None:
    folder, data = trained
    ok = _rewrite(data, tmp_path / "x.csv", lambda f: f.drop("bad", "SEX"))
    assert score_file(folder, ok).height == 600


def test_the_cli_trains_and_scores_and_fails_with_a_non_zero_exit(tmp_path) -> None:
    data = _synthetic(tmp_path / "d.csv", rows=300)
    runner = CliRunner()
    trained = runner.invoke(app, ["model", "train", "--data", str(data), "--target", "bad",
                                  "--id", "cid", "--out", str(tmp_path / "m"), "--folds", "2"])
    assert trained.exit_code == 0, trained.output
    scored = runner.invoke(app, ["model", "score", "--model", str(tmp_path / "m"),
                                 "--data", str(data), "--out", str(tmp_path / "s.csv")])
    assert scored.exit_code == 0, scored.output
    assert pl.read_csv(tmp_path / "s.csv").columns[0] == "cid"
    bad = _rewrite(data, tmp_path / "b.csv", lambda f: f.drop("late_months"))
    refused = runner.invoke(app, ["model", "score", "--model", str(tmp_path / "m"),
                                  "--data", str(bad), "--out", str(tmp_path / "s2.csv")])
    assert refused.exit_code != 0
    assert "b.csv:1: missing training column(s): late_months" in refused.output


def test_the_committed_reference_model_scores_a_taiwan_row_with_reasons(tmp_path) -> None:
    folder = REFERENCE_MODEL_DIR
    header = ("ID,LIMIT_BAL,SEX,EDUCATION,MARRIAGE,AGE,PAY_0,PAY_2,PAY_3,PAY_4,PAY_5,PAY_6,"
              + ",".join(f"BILL_AMT{k}" for k in range(1, 7)) + ","
              + ",".join(f"PAY_AMT{k}" for k in range(1, 7)))
    late = "7,20000,2,2,1,24,3,2,2,0,0,0,19000,18500,18000,17000,16000,15000,0,0,0,500,500,500"
    good = ("8,500000,1,1,2,40,-1,-1,-1,-1,-1,-1,3000,2000,2500,1000,900,800,"
            "2000,2500,1000,900,800,700")
    data = tmp_path / "t.csv"
    data.write_text("\n".join([header, late, good]) + "\n")
    scores = score_file(folder, data)
    assert scores["probability"][0] > 0.5
    assert scores["probability"][1] < 0.25
    assert scores["reason_1"][0].startswith("PAY_0: 最近一期还款逾期3个月")


def test_a_monotone_file_sets_the_direction_of_a_feature(tmp_path) -> None:
    directions = tmp_path / "mono.csv"
    directions.write_text("feature,direction\nlate_months,1\nincome,-1\n")
    data = _synthetic(tmp_path / "d.csv", rows=300)
    config = TrainConfig(folds=2, rounds=20, compare_protected=False,
                         monotone=read_monotone_file(directions))
    model, _ = train_file(data, "bad", "cid", config)
    assert model.schema.monotone == {"late_months": 1, "income": -1}


def test_a_monotone_direction_other_than_minus_one_zero_one_is_refused(tmp_path) -> None:
    bad = tmp_path / "mono.json"
    bad.write_text('{"income": 2}')
    with pytest.raises(DataFileError, match="income: direction must be -1, 0 or 1"):
        read_monotone_file(bad)


def test_a_score_file_with_no_rows_is_refused(trained, tmp_path) -> None:
    folder, data = trained
    empty = _rewrite(data, tmp_path / "e.csv", lambda f: f.head(0))
    with pytest.raises(DataFileError, match=r"e\.csv: no rows to score"):
        score_file(folder, empty)
