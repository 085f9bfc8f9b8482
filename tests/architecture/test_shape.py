"""The code keeps its shape: the layers' import contracts (pyproject's [tool.importlinter]), a
domain on the standard library alone, a compliance core without storage, web or frames, and small
modules and blocks. Read from the source, not run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "arrears"
MAX_LINES = 400


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_import_contracts_of_the_layers_are_kept() -> None:
    tool = Path(sys.executable).with_name("lint-imports")
    if not tool.exists():
        pytest.skip("import-linter is not installed (dev extra)")
    result = subprocess.run([str(tool), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "ignore_imports" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    foreign = {f"{path.relative_to(SRC)}: {name}"
               for path in _modules(SRC / "domain") for name in _imported(path)
               if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("arrears.domain")}
    assert foreign == set()


def test_the_compliance_core_imports_no_storage_web_frames_settings_or_logs() -> None:
    allowed = {"pydantic"}  # the request contract's models
    foreign = {f"{path.relative_to(SRC)}: {name}"
               for path in _modules(SRC / "compliance") for name in _imported(path)
               if name.split(".")[0] not in sys.stdlib_module_names | allowed
               and not name.startswith(("arrears.compliance", "arrears.domain"))}
    assert foreign == set()


def test_no_module_is_longer_than_400_lines() -> None:
    long = {str(p.relative_to(SRC)): n for p in _modules(SRC)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


MAX_COMPLEXITY = 15


def test_no_block_is_more_complex_than_15() -> None:
    """Cyclomatic complexity (radon) of every function, method and class outside migrations."""
    cc = pytest.importorskip("radon.complexity", reason="radon is not installed (dev extra)")
    offenders = sorted(
        f"{path.relative_to(SRC)}:{block.lineno} {block.fullname} ({block.complexity})"
        for path in _modules(SRC)
        for block in cc.cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > MAX_COMPLEXITY
    )
    assert offenders == []
