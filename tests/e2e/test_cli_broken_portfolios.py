"""Every command that reads a portfolio folder refuses the same broken inputs the same way,
through the CLI as a user runs it: ``file:line: column: problem``, a non-zero exit, no
traceback, and nothing written (no scores, no plan, no database)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from arrears.services.demo_generator import DemoSize, generate

AS_OF = "2026-11-29"


def arrears(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in its own process (for the few cases below that are not the
    many broken inputs)."""
    return subprocess.run(
        [sys.executable, "-m", "arrears.entrypoints.cli.main", *args],
        cwd=cwd, env={**os.environ, "COLUMNS": "200"}, capture_output=True, text=True, timeout=300, check=False,
    )


def arrears_here(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> subprocess.CompletedProcess[str]:
    """The command in this process (Typer's runner, the settings read anew, in ``cwd``): the same
    exit code, output and error output as its own process, without starting Python 66 times."""
    from typer.testing import CliRunner

    from arrears.entrypoints.cli.main import app
    from arrears.settings import get_settings

    monkeypatch.chdir(cwd)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def _lines(file: str, change: Callable[[list[str]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / file
        lines = path.read_text(encoding="utf-8").splitlines()
        change(lines)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        frame = pl.read_csv(folder / file, infer_schema=False)
        frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
                           .alias(column)).write_csv(folder / file)

    return edit


def _both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for one in edits:
            one(folder)

    return edit


def _drop_column(folder: Path) -> None:
    pl.read_csv(folder / "accounts.csv", infer_schema=False).drop("past_due_amount").write_csv(folder / "accounts.csv")


def _broken_byte(folder: Path) -> None:
    path = folder / "customers.csv"
    data = path.read_bytes()
    fourth_line = data.index(b"\n", data.index(b"\n", data.index(b"\n") + 1) + 1) + 1
    path.write_bytes(data[:fourth_line] + b"\xff" + data[fourth_line:])  # after UTF-8 Chinese names


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "ragged line, too few fields": (
        _lines("accounts.csv", lambda lines: lines.__setitem__(4, lines[4].rsplit(",", 2)[0])),
        "accounts.csv:5: (line): 15 field(s) where the header has 17 (a ragged line)"),
    "ragged line, too many fields": (
        _lines("contacts.csv", lambda lines: lines.__setitem__(6, lines[6] + ",extra")),
        "contacts.csv:7: (line): 15 field(s) where the header has 14 (a ragged line)"),
    "missing required column": (_drop_column, "accounts.csv:1: past_due_amount: required column is missing"),
    "bytes that are not text": (_broken_byte, "customers.csv:4: (file): not UTF-8 text (byte offset"),
    "empty file": (lambda folder: (folder / "payments.csv").write_bytes(b""),
                   "payments.csv:1: (file): the file is empty: expected a header row"),
    "duplicated row": (
        _lines("accounts.csv", lambda lines: lines.insert(9, lines[3])),
        "accounts.csv:10: account_id: duplicate id 'A00000003': ids must be unique within the file (first on line 4)"),
    "34x as money": (_cell("accounts.csv", 2, "past_due_amount", "34x"), "accounts.csv:4: past_due_amount: not money"),
    "2026-02-30": (_cell("accounts.csv", 5, "oldest_unpaid_due_date", "2026-02-30"),
                   "accounts.csv:7: oldest_unpaid_due_date: not a date: expected YYYY-MM-DD"),
    "negative balance": (_cell("accounts.csv", 1, "balance", "-100.00"),
                         "accounts.csv:3: balance: must not be negative"),
    "past due above the balance": (
        _cell("accounts.csv", 7, "past_due_amount", "99999999.00"),
        "accounts.csv:9: past_due_amount: greater than the balance"),
    "birth in 1800": (_cell("customers.csv", 3, "birth_date", "1800-01-01"),
                      "customers.csv:5: birth_date: before 1900-01-01: not a plausible date"),
    "payment in 2099": (_cell("payments.csv", 0, "paid_at", "2099-01-01T10:00:00+08:00"),
                        "payments.csv:2: paid_at: after the snapshot date 2026-11-29: it cannot be in the future"),
    "a bad date after a quoted field that spans two lines": (
        _both(_cell("customers.csv", 2, "address", "北京市\n朝阳区"),
              _cell("customers.csv", 6, "birth_date", "2026-02-30")),
        "customers.csv:9: birth_date: not a date: expected YYYY-MM-DD"),
}


def _command(command: str, folder: Path) -> list[str]:
    if command == "ingest":
        return ["ingest", str(folder), "--as-of", AS_OF]
    out = "scores.csv" if command == "score" else "plan.csv"
    return [command, "--portfolio", str(folder), "--as-of", AS_OF, "--out", str(folder.parent / out)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken") / "clean"
    generate(folder, date(2026, 11, 29), DemoSize(customers=60, seed=3))
    return folder


def _written(work: Path) -> list[str]:
    return sorted(p.name for p in work.iterdir() if p.name in {"scores.csv", "plan.csv", "var"})


@pytest.mark.slow
@pytest.mark.parametrize("command", ["ingest", "score", "plan"])
@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_portfolio_is_refused_with_file_line_and_column_and_nothing_is_written(
    demo: Path, tmp_path: Path, case: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit, expected = BROKEN[case]
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    edit(folder)
    result = arrears_here(*_command(command, folder), cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode != 0, result.stdout
    assert expected in " ".join(result.stderr.split())  # as wide as the console the process made first
    assert "Traceback" not in result.stderr + result.stdout
    assert "nothing was" in result.stderr
    assert _written(tmp_path) == []


@pytest.mark.parametrize("command", ["ingest", "score", "plan"])
def test_a_date_that_is_not_one_on_the_command_line_is_a_usage_error(demo: Path, tmp_path: Path, command: str) -> None:
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    args = [a if a != AS_OF else "2026-12-32" for a in _command(command, folder)]
    result = arrears(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "--as-of: '2026-12-32' is not a date (YYYY-MM-DD)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert _written(tmp_path) == []


@pytest.mark.parametrize("command", ["ingest", "score", "plan"])
def test_a_gbk_file_is_read_as_gb18030_and_a_warning_names_it(demo: Path, tmp_path: Path, command: str) -> None:
    folder = tmp_path / "portfolio"
    shutil.copytree(demo, folder)
    customers = folder / "customers.csv"
    customers.write_bytes(customers.read_text(encoding="utf-8").encode("gbk"))
    result = arrears(*_command(command, folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "customers.csv: not UTF-8; read as GB18030" in result.stdout + result.stderr


def test_the_nightly_run_on_a_database_nothing_was_ingested_into_says_so(tmp_path: Path) -> None:
    result = arrears("run", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 1
    assert "nothing ingested yet: run `arrears ingest FOLDER` first" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
