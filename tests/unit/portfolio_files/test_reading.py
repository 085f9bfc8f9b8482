"""A whole folder read by the one reader: every problem at once, the same for every command."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from arrears.services.plan_files import read_portfolio_for_planning
from arrears.services.portfolio_files import PortfolioRefused, read_portfolio

AS_OF = date(2026, 11, 29)


@pytest.fixture
def folder(small_demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(small_demo, target)
    return target


def _edit(folder: Path, file: str, row: int, column: str, value: str | None) -> None:
    frame = pl.read_csv(folder / file, infer_schema=False)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
                       .alias(column)).write_csv(folder / file)


def _refusal(read, *args, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(PortfolioRefused) as refused:
        read(*args, **kwargs)
    return [str(e) for e in refused.value.errors]


def test_every_problem_of_every_file_is_found_in_one_reading(folder: Path) -> None:
    _edit(folder, "accounts.csv", 0, "balance", "-1.00")
    _edit(folder, "accounts.csv", 4, "due_date", "2099-01-01")
    lines = (folder / "contacts.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += ",surplus"
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "contact_points.csv").unlink()
    customers = pl.read_csv(folder / "customers.csv", infer_schema=False)
    pl.concat([customers, customers.slice(1, 1)]).write_csv(folder / "customers.csv")
    assert _refusal(read_portfolio, folder, AS_OF) == [
        "accounts.csv:2: balance: must not be negative",
        "accounts.csv:6: due_date: more than 92 days after the snapshot date 2026-11-29: not plausible",
        "contact_points.csv: required file is missing: no contact_points.csv or contact_points.parquet in the "
        "folder / 缺少必需文件",
        "contacts.csv:3: (line): 15 field(s) where the header has 14 (a ragged line)",
        "customers.csv:302: customer_id: duplicate id 'C00000002': ids must be unique within the file "
        "(first on line 3)",
    ]


@pytest.mark.parametrize("breaking", [
    ("accounts.csv", 3, "past_due_amount", "34x"),
    ("accounts.csv", 3, "past_due_amount", "999999999.00"),
    ("contacts.csv", 10, "at", "2026-12-01T10:00:00+08:00"),
    ("contacts.csv", 10, "account_id", "A-NOBODY"),
    ("contacts.csv", 10, "customer_id", "C00000009"),
    ("payments.csv", 1, "payment_id", None),
    ("agents.csv", 2, "agency_id", "AG99"),
    ("contact_points.csv", 5, "value", "12345"),
])
def test_the_planner_refuses_a_folder_with_exactly_the_errors_ingest_reports(folder: Path, breaking) -> None:
    _edit(folder, *breaking)
    planner = _refusal(read_portfolio_for_planning, folder, AS_OF)
    assert planner == _refusal(read_portfolio, folder, AS_OF)
    assert len(planner) >= 1


def test_an_account_id_given_twice_names_the_line_of_the_repeat_and_of_the_first(folder: Path) -> None:
    accounts = pl.read_csv(folder / "accounts.csv", infer_schema=False)
    pl.concat([accounts.head(5), accounts.slice(2, 1), accounts.slice(5)]).write_csv(folder / "accounts.csv")
    assert _refusal(read_portfolio_for_planning, folder, AS_OF) == [
        "accounts.csv:7: account_id: duplicate id 'A00000003': ids must be unique within the file (first on line 4)"]


def test_references_between_files_are_checked_whatever_order_the_ids_come_in(folder: Path) -> None:
    points = pl.read_csv(folder / "contact_points.csv", infer_schema=False)
    points.reverse().write_csv(folder / "contact_points.csv")  # ids first seen in another order than in contacts
    assert read_portfolio(folder, AS_OF).frame("contacts") is not None
    contacts = pl.read_csv(folder / "contacts.csv", infer_schema=False)
    row = contacts.with_row_index().filter(pl.col("contact_point_id").is_not_null())["index"][0]
    other = points.filter(pl.col("customer_id") != contacts["customer_id"][row])["contact_point_id"][0]
    _edit(folder, "contacts.csv", row, "contact_point_id", other)
    expected = [f"contacts.csv:{row + 2}: contact_point_id: this contact point belongs to another customer"]
    assert _refusal(read_portfolio, folder, AS_OF) == expected
    assert _refusal(read_portfolio_for_planning, folder, AS_OF) == expected


def test_extra_columns_and_a_gb18030_file_are_noted_and_cells_are_stripped(folder: Path) -> None:
    customers = pl.read_csv(folder / "customers.csv", infer_schema=False).with_columns(
        pl.lit("x").alias("loyalty_tier"), (pl.lit("  ") + pl.col("language") + pl.lit(" ")).alias("language"))
    (folder / "customers.csv").write_bytes(customers.write_csv().encode("gb18030"))
    notes: list[str] = []
    portfolio = read_portfolio(folder, AS_OF)
    planned = read_portfolio_for_planning(folder, AS_OF, notes)
    assert notes == portfolio.notes == [
        "customers.csv: not UTF-8; read as GB18030 / 非UTF-8编码, 已按GB18030读取",
        "customers.csv: extra columns kept aside: loyalty_tier",
    ]
    assert set(portfolio.frame("customers")["language"].drop_nulls()) == {"zh", "en"}
    assert set(planned.customers["language"]) <= {"zh", "en"}
    assert "loyalty_tier" not in portfolio.frame("customers").columns


def test_parquet_files_are_read_with_their_rows_numbered_from_one(folder: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    for csv in folder.glob("*.csv"):
        pl.read_csv(csv, infer_schema=False).write_parquet(parquet / f"{csv.stem}.parquet")
    csv_portfolio = read_portfolio(folder, AS_OF)
    assert read_portfolio(parquet, AS_OF).frame("accounts").equals(csv_portfolio.frame("accounts"))
    _edit(folder, "accounts.csv", 0, "balance", "12.345")
    pl.read_csv(folder / "accounts.csv", infer_schema=False).write_parquet(parquet / "accounts.parquet")
    assert _refusal(read_portfolio, parquet, AS_OF) == [
        "accounts.parquet:1: balance: not money: expected a decimal number with at most 2 decimals, like 1234.50"]


def test_a_portfolio_with_history_may_hold_an_account_once_per_snapshot_date(folder: Path) -> None:
    accounts = pl.read_csv(folder / "accounts.csv", infer_schema=False)
    history = pl.concat([accounts.with_columns(pl.lit("2026-10-31").alias("snapshot_date")),
                         accounts.with_columns(pl.lit("2026-11-29").alias("snapshot_date"))])
    history.write_csv(folder / "accounts.csv")
    assert read_portfolio(folder, AS_OF, history=True).frame("accounts").height == 2 * accounts.height
    assert _refusal(read_portfolio, folder, AS_OF)[0] == (
        f"accounts.csv:{accounts.height + 2}: account_id: duplicate id 'A00000001': ids must be unique within the "
        "file (first on line 2)")
    pl.concat([history, history.head(1)]).write_csv(folder / "accounts.csv")
    assert _refusal(read_portfolio, folder, AS_OF, history=True) == [
        f"accounts.csv:{2 * accounts.height + 2}: account_id: duplicate (account_id, snapshot_date) "
        "('A00000001', '2026-10-31'): ids must be unique within the file (first on line 2)"]


def test_the_planner_reads_a_folder_without_the_optional_files(folder: Path) -> None:
    for name in ("payments", "contacts", "agencies", "agents"):
        (folder / f"{name}.csv").unlink()
    accounts = pl.read_csv(folder / "accounts.csv", infer_schema=False).with_columns(pl.lit(None).alias("agency_id"))
    accounts.write_csv(folder / "accounts.csv")
    planned = read_portfolio_for_planning(folder, AS_OF)
    assert (planned.accounts.height, planned.contacts.height, planned.payments.height) == (accounts.height, 0, 0)
    assert "__broken" not in planned.accounts.columns


def test_the_aging_history_of_the_scoring_commands_is_checked_like_every_file(folder: Path) -> None:
    (folder / "aging.csv").write_text(
        "account_id,as_of,dpd,bucket\nA00000001,2026-10-31,12,M1\nA00000001,2026-11-29,x,M2\n"
        "A-NOBODY,2026-11-29,3,M1\nA00000001,2026-10-31,12,M1\n", encoding="utf-8")
    assert _refusal(read_portfolio, folder, AS_OF, history=True) == [
        "aging.csv:3: dpd: expected a whole number (0 or more)",
        "aging.csv:4: account_id: unknown account_id: not in accounts.csv",
        "aging.csv:5: account_id: duplicate (account_id, as_of) ('A00000001', '2026-10-31'): ids must be unique "
        "within the file (first on line 2)",
    ]
    assert read_portfolio(folder, AS_OF).frame("aging") is None  # not part of portfolio-v1 for ingest


def test_a_short_line_hidden_by_a_long_one_is_named_by_the_planner_too(folder: Path) -> None:
    lines = (folder / "accounts.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]  # one field too few on line 4
    lines[8] += ",surplus"  # one too many on line 9: the file's separators still add up
    (folder / "accounts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = ["accounts.csv:4: (line): 16 field(s) where the header has 17 (a ragged line)",
                "accounts.csv:9: (line): 18 field(s) where the header has 17 (a ragged line)"]
    assert _refusal(read_portfolio_for_planning, folder, AS_OF) == expected
    assert _refusal(read_portfolio, folder, AS_OF) == expected


def _rewritten(folder: Path, target: Path, how: str) -> None:
    import csv

    target.mkdir()
    for path in folder.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        if how == "padded":
            rows = [rows[0], *([f" {cell}\u3000" if cell else cell for cell in row] for row in rows[1:])]
        with (target / path.name).open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, quoting=csv.QUOTE_ALL if how == "quoted" else csv.QUOTE_MINIMAL,
                       lineterminator="\r\n" if how == "crlf" else "\n").writerows(rows)


@pytest.mark.parametrize("how", ["crlf", "quoted", "padded"])
def test_line_ends_quotes_and_white_space_around_cells_change_nothing_that_is_read(
    folder: Path, tmp_path: Path, how: str
) -> None:
    variant = tmp_path / how
    _rewritten(folder, variant, how)
    plain, other = read_portfolio(folder, AS_OF), read_portfolio(variant, AS_OF)
    assert all(plain.frame(name).equals(other.frame(name)) for name in plain.tables)
    planned, planned_other = read_portfolio_for_planning(folder, AS_OF), read_portfolio_for_planning(variant, AS_OF)
    for table in ("customers", "contact_points", "accounts", "contacts", "payments", "agencies"):
        assert getattr(planned, table).equals(getattr(planned_other, table))
