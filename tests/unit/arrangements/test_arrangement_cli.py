import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()
QUOTE = ["arrangement", "quote", "--balance", "12000.00", "--months", "12", "--start", "2026-12-15"]


def _json(*extra: str) -> dict:
    result = runner.invoke(app, [*QUOTE, *extra, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_plain_quote_is_twelve_installments_of_1000_in_json() -> None:
    data = _json()
    rows = data["installments"]
    assert [r["total"] for r in rows] == ["1000.00"] * 12
    assert rows[0]["due_date"] == "2026-12-15" and rows[-1]["due_date"] == "2027-11-15"
    assert data["totals"] == {
        "principal": "12000.00",
        "fee": "0.00",
        "interest": "0.00",
        "total": "12000.00",
    }


def test_a_monthly_fee_quote_adds_72_a_month() -> None:
    data = _json("--monthly-fee-rate", "0.006")
    assert {r["fee"] for r in data["installments"]} == {"72.00"}
    assert data["totals"]["total"] == "12864.00"


def test_an_interest_quote_totals_match_its_rows_to_the_fen() -> None:
    data = _json("--annual-rate", "0.18")
    rows = data["installments"]
    assert sum(Decimal(r["total"]) for r in rows) == Decimal(data["totals"]["total"])
    assert data["totals"]["interest"] == "1201.95"
    assert rows[-1]["total"] == "1100.19"


def test_the_table_has_chinese_and_english_headers() -> None:
    result = runner.invoke(app, QUOTE)
    assert result.exit_code == 0
    assert "到期日" in result.stdout and "Total" in result.stdout and "12000.00" in result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--monthly-fee-rate", "0.006", "--annual-rate", "0.18"], "not both"),
        (["--annual-rate", "abc"], "not a number"),
    ],
)
def test_bad_rates_are_refused_with_a_clear_error(extra: list[str], message: str) -> None:
    result = runner.invoke(app, [*QUOTE, *extra])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("balance", "months", "start", "message"),
    [
        ("12000.00", "61", "2026-12-15", "months must be 1 to 60"),
        ("12000.005", "12", "2026-12-15", "more than 2 decimals"),
        ("12000.00", "12", "2026-02-30", "YYYY-MM-DD"),
        ("-5.00", "12", "2026-12-15", "more than zero"),
    ],
)
def test_bad_input_exits_non_zero_and_says_what_was_wrong(balance, months, start, message):
    result = runner.invoke(
        app, ["arrangement", "quote", "--balance", balance, "--months", months, "--start", start]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert "错误" in result.stderr
