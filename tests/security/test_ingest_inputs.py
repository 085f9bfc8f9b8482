"""Security test of ingest (issue 12): values the contract forbids are refused with their
file, line and column, and nothing is stored; a GBK export is read; a ragged line is named.

Through the CLI, as an operator runs ``arrears ingest``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from arrears.services.demo_generator import DemoSize, generate

AS_OF = "2026-11-29"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs") / "clean"
    generate(folder, date(2026, 11, 29), DemoSize(customers=40, seed=11))
    return folder


def _ingest(folder: Path, work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arrears.entrypoints.cli.main", "ingest", str(folder), "--as-of", AS_OF],
        cwd=work, env={**os.environ, "COLUMNS": "200"}, capture_output=True, text=True, timeout=300, check=False,
    )


def _stored_accounts(work: Path) -> int:
    database = work / "var" / "arrears.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        return connection.execute("select count(*) from accounts").fetchone()[0]


def _set(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        frame = pl.read_csv(folder / file, infer_schema=False)
        frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
                           .alias(column)).write_csv(folder / file)

    return edit


def _line(file: str, index: int, change: Callable[[str], str]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = (folder / file).read_text(encoding="utf-8").splitlines()
        lines[index] = change(lines[index])
        (folder / file).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


REFUSED = {
    "a negative balance": (_set("accounts.csv", 1, "balance", "-2500.00"),
                           "accounts.csv:3: balance: must not be negative"),
    "a negative part of the balance": (_set("accounts.csv", 2, "fees", "-10.00"),
                                       "accounts.csv:4: fees: must not be negative"),
    "a past-due amount above the balance": (_set("accounts.csv", 3, "past_due_amount", "1000000.00"),
                                            "accounts.csv:5: past_due_amount: greater than the balance"),
    "a birth date in 1800": (_set("customers.csv", 4, "birth_date", "1800-06-01"),
                             "customers.csv:6: birth_date: before 1900-01-01"),
    "a contact in 2099": (_set("contacts.csv", 5, "at", "2099-03-01T10:00:00+08:00"),
                          "contacts.csv:7: at: after the snapshot date 2026-11-29"),
    "an account opened in 2099": (_set("accounts.csv", 6, "open_date", "2099-01-01"),
                                  "accounts.csv:8: open_date: after the snapshot date 2026-11-29"),
    "a due date in 2099": (_set("accounts.csv", 7, "due_date", "2099-01-01"),
                           "accounts.csv:9: due_date: more than 92 days after the snapshot date 2026-11-29"),
    "a line with too few fields": (_line("accounts.csv", 4, lambda line: line.rsplit(",", 3)[0]),
                                   "accounts.csv:5: (line): 14 field(s) where the header has 17 (a ragged line)"),
    "a line with too many fields": (_line("payments.csv", 2, lambda line: line + ",x,y"),
                                    "payments.csv:3: (line): 8 field(s) where the header has 6 (a ragged line)"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_ingest_refuses_what_the_contract_forbids_naming_file_line_and_column_and_stores_nothing(
    demo: Path, tmp_path: Path, case: str
) -> None:
    edit, expected = REFUSED[case]
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    edit(folder)
    result = _ingest(folder, tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert _stored_accounts(tmp_path) == 0


def test_ingest_reads_a_gbk_export_as_gb18030_and_says_so(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    for name in ("customers.csv", "agencies.csv"):
        (folder / name).write_bytes((folder / name).read_text(encoding="utf-8").encode("gbk"))
    result = _ingest(folder, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "customers.csv: not UTF-8; read as GB18030" in result.stdout
    assert "agencies.csv: not UTF-8; read as GB18030" in result.stdout
    assert _stored_accounts(tmp_path) == 40


def test_ingest_refuses_bytes_that_are_neither_utf8_nor_gb18030_naming_the_line_and_offset(
    demo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    lines = (folder / "contacts.csv").read_bytes().split(b"\n")
    lines[3] = lines[3] + b"\x80"
    (folder / "contacts.csv").write_bytes(b"\n".join(lines))
    offset = sum(len(line) + 1 for line in lines[:3]) + len(lines[3]) - 1
    result = _ingest(folder, tmp_path)
    assert result.returncode != 0
    assert f"contacts.csv:4: (file): neither UTF-8 nor GB18030 text (byte offset {offset})" in result.stderr
    assert _stored_accounts(tmp_path) == 0
