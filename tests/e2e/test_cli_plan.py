"""`arrears plan` end to end: the CSV has exactly the spec's columns first, and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app
from arrears.services.demo_generator import DemoSize, generate

SPEC = ["account_id", "customer_id", "channel", "contact_point_id", "scheduled_at", "template", "offer", "reason"]


def test_arrears_plan_writes_the_spec_columns_best_first(tmp_path: Path):
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=300, seed=3))
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29",
                                      "--capacity", str(folder / "capacity.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pl.read_csv(out, infer_schema=False)
    assert plan.columns == [*SPEC, "strategy", "strategy_version"]
    assert plan.height > 0
    assert set(plan["channel"]) <= {"call", "sms", "email", "letter"}
    hours = pl.read_csv(tmp_path / "plan_hours.csv", infer_schema=False)  # the optional hour summary, apart
    assert hours.columns == ["channel", "hour", "capacity", "planned", "best_remaining", "why"]
    calls = hours.filter(pl.col("channel") == "call")
    assert calls.height and set(calls["why"]) <= {"full", "worth_less_than_nothing", "below_min_value", "no_option"}
    planned = plan.group_by("channel").len()
    day_rows = dict(hours.filter(pl.col("hour") == "*").select("channel", "planned").iter_rows())
    for channel, n in planned.filter(pl.col("channel") != "call").iter_rows():
        assert int(day_rows[channel]) == n
    assert calls["planned"].cast(pl.Int64).sum() == plan.filter(pl.col("channel") == "call").height


def test_a_broken_strategy_file_is_reported_with_its_field(tmp_path: Path):
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=50, seed=3))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nversion: 0\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29",
                                      "--out", str(tmp_path / "x.csv"), "--strategy", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml: version:" in result.output


def test_a_contact_point_id_given_twice_is_reported_with_its_line_and_no_plan_is_written(tmp_path: Path):
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=50, seed=3))
    points = (folder / "contact_points.csv").read_text(encoding="utf-8").splitlines()
    repeated = points[3].split(",", 1)[0]
    points.insert(6, repeated + "," + points[6].split(",", 1)[1])  # line 7 repeats the id of line 4
    (folder / "contact_points.csv").write_text("\n".join(points) + "\n", encoding="utf-8")
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"contact_points.csv:7: contact_point_id: duplicate id '{repeated}'" in result.output
    assert not out.exists()


def test_a_contacts_file_that_is_not_csv_is_reported_by_name_and_no_plan_is_written(tmp_path: Path):
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=50, seed=3))
    lines = (folder / "contacts.csv").read_text(encoding="utf-8").splitlines()
    lines[7] += ',"a quote that never closes'
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "contacts.csv:8: (line): a quoted field opened here is never closed" in result.output
    assert not out.exists()


def test_arrears_simulate_writes_a_summary_and_charts(tmp_path: Path):
    out = tmp_path / "sim"
    result = CliRunner().invoke(app, ["simulate", "--strategy", "default", "--days", "2", "--customers", "150",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = pl.read_csv(out / "summary.csv")
    assert summary["strategy"].to_list() == ["naive", "default@v7"]
    assert (out / "money.png").exists() and (out / "violations.png").exists()


def test_arrears_simulate_runs_the_default_strategy_when_none_is_named_and_lists_the_built_ins(tmp_path: Path):
    runner = CliRunner()
    assert "validity_hours" in runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"}).output
    result = runner.invoke(app, ["simulate", "--days", "1", "--customers", "100", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "s" / "summary.csv")["strategy"].to_list() == ["naive", "default@v7"]


def test_arrears_simulate_runs_the_reference_planner_in_each_world_named(tmp_path: Path):
    out = tmp_path / "w"
    result = CliRunner().invoke(app, ["simulate", "--strategy", "reference", "--strategy", "default", "--world",
                                      "evening", "--world", "dead_numbers", "--days", "1", "--customers", "100",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    worlds = pl.read_csv(out / "worlds.csv")
    assert worlds.select("world", "strategy").rows() == [
        (w, s) for w in ("evening", "dead_numbers") for s in ("naive", "reference", "default@v7")]
    assert (out / "evening" / "summary.csv").exists() and (out / "dead_numbers" / "money.png").exists()
    assert worlds.filter(pl.col("strategy") != "naive")["violations"].to_list() == [0, 0, 0, 0]


def test_arrears_simulate_refuses_an_unknown_world_naming_the_known_ones(tmp_path: Path):
    result = CliRunner().invoke(app, ["simulate", "--world", "lunar", "--days", "1", "--customers", "100",
                                      "--out", str(tmp_path / "x")], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "lunar" in result.output and "affordability" in result.output
    assert not (tmp_path / "x").exists()


def test_arrears_plan_uses_the_scores_of_arrears_score(tmp_path: Path):
    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=200, seed=4))
    scores = tmp_path / "scores.csv"
    runner = CliRunner()
    scored = runner.invoke(app, ["score", "--portfolio", str(folder), "--as-of", "2026-11-29", "--out", str(scores)])
    assert scored.exit_code == 0, scored.output
    out = tmp_path / "plan.csv"
    result = runner.invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29", "--out", str(out),
                                 "--scores", str(scores)])
    assert result.exit_code == 0, result.output
    plan = pl.read_csv(out, infer_schema=False)
    segments = dict(pl.read_csv(scores, infer_schema=False).select("account_id", "segment").iter_rows())
    labels = {"able_willing": "able and willing", "willing_unable": "willing, unable",
              "able_unwilling": "able, unwilling", "unable_unwilling": "unable, unwilling"}
    for account, reason in plan.select("account_id", "reason").iter_rows():
        if "installment plan reminder" not in reason:
            assert labels[segments[account]] in reason
