"""The locked dependencies carry no known vulnerability (scripts/audit_dependencies.py).

The advisory matcher is tested offline on a small OSV folder; the audit itself runs pip-audit
against PyPI, or an offline OSV folder named by ARREARS_ADVISORY_DB (a checkout of the PyPA
advisory database), and skips, saying so, when neither can be asked."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
assert SPEC and SPEC.loader
audit = importlib.util.module_from_spec(SPEC)
sys.modules["audit_dependencies"] = audit
SPEC.loader.exec_module(audit)

ADVISORY = """
id: TEST-2024-1
affected:
- package: {name: Jinja2, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "0"}, {fixed: 2.11.3}]
- package: {name: other-pkg, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "1.0"}, {last_affected: "1.4"}]
"""


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    (tmp_path / "vulns" / "jinja2").mkdir(parents=True)
    (tmp_path / "vulns" / "jinja2" / "TEST-2024-1.yaml").write_text(ADVISORY, encoding="utf-8")
    return tmp_path / "vulns"


def test_a_locked_version_inside_an_advisory_range_is_found(advisories: Path) -> None:
    found = audit.findings_in(advisories, {"jinja2": "2.10.0"})
    assert [(f.package, f.advisory, f.fixed) for f in found] == [("jinja2", "TEST-2024-1", "2.11.3")]


def test_the_fixed_version_and_later_ones_are_clean(advisories: Path) -> None:
    assert audit.findings_in(advisories, {"jinja2": "2.11.3", "other-pkg": "1.5"}) == []


def test_last_affected_is_inclusive_and_package_names_are_normalised(advisories: Path) -> None:
    found = audit.findings_in(advisories, {"other-pkg": "1.4"})
    assert [f.package for f in found] == ["other-pkg"]
    assert audit.normalise("Other_Pkg") == "other-pkg"


def test_the_lock_file_pins_every_package(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nJinja2==3.1.6\nrequests[socks]==2.32.0 ; python_version >= '3.11'\n", encoding="utf-8")
    assert audit.locked(lock) == {"jinja2": "3.1.6", "requests": "2.32.0"}


def test_the_locked_dependencies_have_no_known_vulnerability(capsys: pytest.CaptureFixture[str]) -> None:
    lock = ROOT / "requirements.lock"
    db = os.environ.get("ARREARS_ADVISORY_DB")
    result = audit.main(["--lock", str(lock)] + (["--db", db] if db else []))
    out, err = capsys.readouterr()
    if result == audit.NOT_CHECKED:
        pytest.skip("no vulnerability source answered (PyPI's per-release JSON API or ARREARS_ADVISORY_DB): "
                    + err.strip()[-300:])
    assert result == 0, out
