"""`arrears template list | show | save`: templates as data through the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app
from arrears.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'arrears.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "arrears.key"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def arrears(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["template", *args])


def test_the_shipped_templates_are_listed_with_their_versions() -> None:
    listed = arrears("list")
    assert listed.exit_code == 0, listed.output
    rows = {tuple(line.split("\t")[:4]) for line in listed.output.splitlines()[1:]}
    assert {("reminder", "sms", "CN", "1"), ("reminder", "sms", "US", "1"), ("collection_letter", "letter", "CN", "1"),
            ("validation_notice", "letter", "US", "1"), ("reminder", "email", "US", "1")} <= rows


def test_a_shown_template_edited_and_saved_is_the_next_version(tmp_path: Path) -> None:
    shown = arrears("show", "reminder", "--channel", "sms", "--jurisdiction", "CN")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("# reminder/sms/CN@v1 saved ")
    file = tmp_path / "reminder.toml"
    file.write_text(shown.output.replace("请您方便时尽快还款", "请您方便时还款"), encoding="utf-8")
    saved = arrears("save", str(file))
    assert (saved.exit_code, saved.output.strip()) == (0, "saved 已保存: reminder/sms/CN@v2"), saved.output
    again = arrears("save", str(file))
    assert again.output.strip() == "unchanged 内容未变: reminder/sms/CN@v2"
    assert "请您方便时还款" in arrears("show", "reminder").output
    assert "请您方便时尽快还款" in arrears("show", "reminder", "--version", "1").output


def test_a_template_that_lacks_the_signature_is_refused_with_the_rule(tmp_path: Path) -> None:
    file = tmp_path / "reminder.toml"
    file.write_text(arrears("show", "reminder").output.replace("【{{ sender }}】", ""), encoding="utf-8")
    refused = arrears("save", str(file))
    assert refused.exit_code == 2
    assert "CN-SMS-SIG-01" in refused.output and "【】" in refused.output
    assert arrears("show", "reminder").output.startswith("# reminder/sms/CN@v1 ")


def test_a_us_text_without_an_opt_out_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "us.toml"
    text = arrears("show", "reminder", "--jurisdiction", "US").output
    file.write_text(text.replace(" Reply STOP to stop texts to this number.", ""), encoding="utf-8")
    refused = arrears("save", str(file))
    assert refused.exit_code == 2 and "US-OPTOUT-01" in refused.output and "1006.6(e)" in refused.output


def test_a_malformed_file_names_the_file_line_and_field(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('template_id = "x"\nchannel = "fax"\n', encoding="utf-8")
    refused = arrears("save", str(file))
    assert refused.exit_code == 2
    assert f"{file}:2: channel: one of sms, email, letter" in refused.output.replace("\n", "")
