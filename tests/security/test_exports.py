"""Every CSV the project writes for people (plan.csv, scores, model scores; the simulation
tables too, though their only text, a strategy label, is a lower-case name) neutralises text
cells a spreadsheet would run as a formula; numbers stay numbers, and the demo portfolio's plan
is unchanged."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app
from arrears.services.demo_generator import DemoSize, generate

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"pay\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _prefixed(folder: Path, marker: str) -> Path:
    """The demo portfolio with every account id starting with ``marker`` (in every file)."""
    for name in ("accounts", "contacts", "payments"):
        path = folder / f"{name}.csv"
        frame = pl.read_csv(path, infer_schema=False)
        frame.with_columns((pl.lit(marker) + pl.col("account_id")).alias("account_id")).write_csv(path)
    return folder


@pytest.fixture(scope="module")
def formula_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formulas") / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=300, seed=3))
    return _prefixed(folder, "=")


def test_plan_csv_quotes_account_ids_a_spreadsheet_would_run(formula_portfolio: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(formula_portfolio), "--as-of", "2026-11-29",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _cells(out)[1:]
    assert rows and all(row[0].startswith("'=A") for row in rows)
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_scores_csv_quotes_account_ids_a_spreadsheet_would_run(formula_portfolio: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["score", "--portfolio", str(formula_portfolio), "--as-of", "2026-11-29",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _cells(out)[1:]
    assert rows and all(row[0].startswith("'=A") for row in rows)


def test_model_scores_quote_ids_a_spreadsheet_would_run(tmp_path: Path) -> None:
    from arrears.scoring.modelling import REFERENCE_MODEL_DIR

    header = ("ID,LIMIT_BAL,SEX,EDUCATION,MARRIAGE,AGE,PAY_0,PAY_2,PAY_3,PAY_4,PAY_5,PAY_6,"
              + ",".join(f"BILL_AMT{k}" for k in range(1, 7)) + "," + ",".join(f"PAY_AMT{k}" for k in range(1, 7)))
    values = "20000,2,2,1,24,3,2,2,0,0,0,19000,18500,18000,17000,16000,15000,0,0,0,500,500,500"
    data = tmp_path / "t.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        for formula in FORMULAS:
            writer.writerow([formula, *values.split(",")])
        writer.writerow(["-12", *values.split(",")])
    out = tmp_path / "s.csv"
    result = CliRunner().invoke(app, ["model", "score", "--model", str(REFERENCE_MODEL_DIR), "--data", str(data),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    ids = [row[0] for row in _cells(out)[1:]]
    assert ids == ["'" + f for f in FORMULAS] + ["-12"]  # a number stays a number


# ---------------------------------------------------------------- the helper
def test_numbers_stay_numbers_and_only_risky_text_is_quoted(tmp_path: Path) -> None:
    from arrears.adapters.spreadsheets import formula_safe, write_csv

    frame = pl.DataFrame({"text": [*FORMULAS, "-12.50", "+8613800138000", "A-1", "", None],
                          "amount": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, -7.25, 8.0, 9.0, 10.0, 11.0],
                          "count": list(range(-5, 6))})
    write_csv(frame, tmp_path / "x.csv")
    rows = _cells(tmp_path / "x.csv")[1:]
    assert [row[0] for row in rows] == [*("'" + f for f in FORMULAS), "-12.50", "+8613800138000", "A-1", "", ""]
    assert [row[1] for row in rows][:3] == ["-1.5", "2.0", "-3.0"] and [row[2] for row in rows][:2] == ["-5", "-4"]
    assert formula_safe(-3) == -3 and formula_safe("=1") == "'=1" and formula_safe("-1e5") == "-1e5"


def test_the_demo_portfolios_plan_has_nothing_to_quote(tmp_path: Path) -> None:
    """plan.csv of the demo portfolio stays byte-identical: no id or number starts with = + - @."""
    from arrears.adapters.spreadsheets import formula_safe_frame

    folder = tmp_path / "p"
    generate(folder, date(2026, 11, 29), DemoSize(customers=300, seed=3))
    out = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["plan", "--portfolio", str(folder), "--as-of", "2026-11-29", "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pl.read_csv(out, infer_schema=False)
    assert formula_safe_frame(plan).equals(plan)
