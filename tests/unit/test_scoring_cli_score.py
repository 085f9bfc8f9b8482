"""`arrears score` on a small portfolio folder."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app


def _contact_points(folder, *customers: str) -> None:
    """portfolio-v1 requires contact_points.csv: one mobile per customer."""
    pl.DataFrame([{"contact_point_id": f"P{i}", "customer_id": customer, "kind": "mobile",
                   "value": f"+86138001380{i:02d}", "owner": "debtor"} for i, customer in enumerate(customers)]
                 ).write_csv(folder / "contact_points.csv")


def test_score_writes_one_row_per_delinquent_account_with_segment_and_reasons(tmp_path) -> None:
    pl.DataFrame([
        {"account_id": "A1", "customer_id": "C1", "balance": "5000.00", "credit_limit": "8000",
         "min_payment": "300.00", "past_due_amount": "300.00",
         "oldest_unpaid_due_date": "2026-03-05", "flags": "hardship"},
        {"account_id": "A2", "customer_id": "C2", "balance": "100.00", "min_payment": "10.00",
         "past_due_amount": "0", "oldest_unpaid_due_date": ""},
    ]).write_csv(tmp_path / "accounts.csv")
    pl.DataFrame([{"customer_id": "C1", "name": "张三", "monthly_income": "3000.00"},
                  {"customer_id": "C2", "name": "李四", "monthly_income": ""}]
                 ).write_csv(tmp_path / "customers.csv")
    _contact_points(tmp_path, "C1", "C2")
    pl.DataFrame([{"payment_id": "P1", "account_id": "A1", "amount": "50.00",
                   "paid_at": "2026-03-20T09:00:00+08:00"}]).write_parquet(
        tmp_path / "payments.parquet")
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["score", "--portfolio", str(tmp_path), "--as-of",
                                      "2026-03-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pl.read_csv(out)
    assert scores["account_id"].to_list() == ["A1"]
    assert scores["segment"][0] in {"able_willing", "able_unwilling", "willing_unable",
                                    "unable_unwilling"}
    assert scores["reason_1"][0].startswith("income_to_min_payment: 月收入为最低还款额的10.0倍")


def test_score_refuses_a_folder_without_accounts(tmp_path) -> None:
    result = CliRunner().invoke(app, ["score", "--portfolio", str(tmp_path), "--as-of",
                                      "2026-03-31", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "no accounts.csv" in result.output


def test_train_propensity_says_when_history_is_too_thin_and_exits_non_zero(tmp_path) -> None:
    pl.DataFrame([{"account_id": "A1", "customer_id": "C1", "balance": "500.00",
                   "min_payment": "50.00", "past_due_amount": "50.00",
                   "oldest_unpaid_due_date": "2026-01-10", "snapshot_date": "2026-01-31"}]
                 ).write_csv(tmp_path / "accounts.csv")
    pl.DataFrame([{"customer_id": "C1", "name": "张三"}]).write_csv(tmp_path / "customers.csv")
    _contact_points(tmp_path, "C1")
    result = CliRunner().invoke(app, [
        "model", "train-propensity", "--portfolio", str(tmp_path), "--as-of-dates",
        "2026-01-31", "--history-until", "2026-03-31", "--out", str(tmp_path / "m")])
    assert result.exit_code == 3
    assert "too little history (1 rows, 0 payers)" in result.output
