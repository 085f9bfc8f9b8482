"""The CLI end to end, as a user runs it: a fresh database, the demo, bad input, PII at rest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

AS_OF = "2026-11-29"


def arrears(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "160", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "arrears.entrypoints.cli.main", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("demo_cli")
    result = arrears("demo", "--customers", "400", "--as-of", AS_OF, cwd=work)
    return work, result


def test_the_demo_generates_ingests_ages_and_says_where_to_look_next(demo_run) -> None:  # type: ignore[no-untyped-def]
    work, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "M7+" in result.stdout and "total" in result.stdout
    assert "Next" in result.stdout
    hint = next(line for line in result.stdout.splitlines() if "start the workbench" in line)
    command = hint.split("start the workbench:")[1].split()[0]  # runnable as printed, in a fresh shell too
    assert shutil.which(command, path=os.environ.get("PATH")) or (work / command).exists() or Path(command).exists()
    assert "(it then answers on" in hint  # no claim that a server is already running
    assert (work / "var" / "arrears.db").exists()
    assert (work / "var" / "arrears.key").stat().st_mode & 0o777 == 0o600


def test_no_plaintext_name_id_or_phone_is_in_the_database_or_the_logs(demo_run) -> None:  # type: ignore[no-untyped-def]
    work, result = demo_run
    folder = work / "var" / "demo" / AS_OF
    customers = pl.read_csv(folder / "customers.csv", infer_schema=False)
    points = pl.read_csv(folder / "contact_points.csv", infer_schema=False)
    secrets = set(customers["name"]) | set(customers["national_id"]) | set(customers["address"].drop_nulls())
    for value in points["value"]:
        secrets |= {value, value.removeprefix("+86")}
    stored = b"".join(p.read_bytes() for p in (work / "var").glob("arrears.db*"))
    output = (result.stdout + result.stderr).encode()
    leaks = [s for s in secrets if s.encode() in stored or s.encode() in output]
    assert leaks == []


def test_a_new_database_url_is_created_and_migrated_on_first_use(tmp_path: Path, small_demo: Path) -> None:
    result = arrears("ingest", str(small_demo), "--as-of", AS_OF, cwd=tmp_path,
                     env={"ARREARS_DATABASE_URL": "sqlite:///new.db"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new.db").exists()
    again = arrears("ingest", str(small_demo), "--as-of", AS_OF, cwd=tmp_path,
                    env={"ARREARS_DATABASE_URL": "sqlite:///new.db"})
    assert again.returncode == 0 and "already loaded" in again.stdout


def test_a_bad_snapshot_exits_non_zero_and_lists_file_line_and_column(tmp_path: Path, small_demo: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for csv in small_demo.glob("*.csv"):
        (folder / csv.name).write_bytes(csv.read_bytes())
    accounts = pl.read_csv(folder / "accounts.csv", infer_schema=False)
    accounts.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("1,000")).otherwise(pl.col("balance"))
                          .alias("balance")).write_csv(folder / "accounts.csv")
    result = arrears("ingest", str(folder), "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 1
    assert "accounts.csv:2: balance: not money" in result.stderr
    assert "nothing was stored" in result.stderr


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = arrears("ingest", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "not a folder" in result.stderr


def test_production_refuses_to_start_without_keys(tmp_path: Path, small_demo: Path) -> None:
    result = arrears("ingest", str(small_demo), cwd=tmp_path, env={"ARREARS_ENVIRONMENT": "production"})
    assert result.returncode != 0
    assert "ARREARS_DATA_KEY and ARREARS_LOOKUP_KEY must be set in production" in result.stderr + result.stdout


def test_the_nightly_run_prints_buckets_and_roll_rates(demo_run) -> None:  # type: ignore[no-untyped-def]
    work, _ = demo_run
    result = arrears("run", "--as-of", "2026-12-29", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Roll rates 2026-11-29" in result.stdout


def test_the_nightly_run_prints_the_segments_with_accounts_and_balance_and_the_model_used(demo_run) -> None:  # type: ignore[no-untyped-def]
    work, _ = demo_run
    result = arrears("run", "--as-of", "2026-12-30", cwd=work)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Segments as of 2026-12-30" in out and "ability-willingness-scorecard" in out
    for segment in ("able, willing", "able, unwilling", "willing, unable", "unable, unwilling", "scored"):
        assert segment in out
    assert "arrangements reviewed on 2026-12-30" in out
    ability = next(line for line in out.splitlines() if "ability weights:" in line)
    assert "too little history" in ability  # the demo's run of 2026-11-29 kept balances; 400 customers are few
    response = next(line for line in out.splitlines() if "response models: nightly refit of 2026-12-30" in line)
    assert "right-party calls" in response and "segments of" in response  # the run of 2026-11-29 stored them
    again = arrears("run", "--as-of", "2026-12-30", cwd=work,
                    env={"ARREARS_PROPENSITY_MODEL": str(work / "no-model-here")})
    assert again.returncode == 0, again.stderr
    assert "no model.txt there" in again.stdout
    scored = [line for line in out.splitlines() if "scored" in line]
    assert scored == [line for line in again.stdout.splitlines() if "scored" in line]
