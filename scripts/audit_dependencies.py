"""Check the locked dependencies (requirements.lock) against known vulnerabilities.

Two sources, the first that answers:
- ``--db DIR``: a folder of OSV advisories (YAML or JSON), e.g. a checkout of the PyPA
  advisory database (its ``vulns/<package>/*.yaml``); works offline;
- otherwise pip-audit against PyPI's vulnerability data (needs pip-audit and PyPI's
  per-release JSON API).

Prints one line per vulnerable package and exits 1 when there is any, 0 when there is none,
and 3 when no source could be asked (so a caller can tell "clean" from "not checked").
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

NOT_CHECKED = 3


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    fixed: str

    def line(self) -> str:
        return f"{self.package}=={self.version}: {self.advisory} (fixed in {self.fixed or 'no release yet'})"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return pins


def _advisories(db: Path) -> Iterator[dict]:
    for path in sorted(db.rglob("*")):
        if path.suffix in {".yaml", ".yml"}:
            yield yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix == ".json":
            yield json.loads(path.read_text(encoding="utf-8"))


def _in_range(version: Version, events: Iterable[dict]) -> tuple[bool, str]:
    """OSV ECOSYSTEM range: affected from each ``introduced`` up to its ``fixed`` (exclusive)
    or ``last_affected`` (inclusive)."""
    affected, fixed_in = False, ""
    start: Version | None = None
    for event in events:
        try:
            if "introduced" in event:
                start = Version("0") if str(event["introduced"]) == "0" else Version(str(event["introduced"]))
            elif "fixed" in event and start is not None:
                fixed = Version(str(event["fixed"]))
                if start <= version < fixed:
                    affected, fixed_in = True, str(fixed)
                start = None
            elif "last_affected" in event and start is not None:
                if start <= version <= Version(str(event["last_affected"])):
                    affected = True
                start = None
        except InvalidVersion:
            start = None
    if start is not None and version >= start:
        affected = True
    return affected, fixed_in


def findings_in(db: Path, pins: dict[str, str]) -> list[Finding]:
    found: list[Finding] = []
    for advisory in _advisories(db):
        for affected in advisory.get("affected") or []:
            package = normalise((affected.get("package") or {}).get("name", ""))
            if package not in pins or (affected.get("package") or {}).get("ecosystem", "PyPI") != "PyPI":
                continue
            try:
                version = Version(pins[package])
            except InvalidVersion:
                continue
            hit = pins[package] in {str(v) for v in affected.get("versions") or []}
            fixed = ""
            for span in affected.get("ranges") or []:
                if span.get("type") == "ECOSYSTEM":
                    in_span, fixed_in = _in_range(version, span.get("events") or [])
                    hit, fixed = hit or in_span, fixed or fixed_in
            if hit:
                found.append(Finding(package, pins[package], str(advisory.get("id")), fixed))
    return sorted(set(found), key=lambda f: (f.package, f.advisory))


def pip_audit(lock: Path) -> int:
    """pip-audit over the lock; NOT_CHECKED when PyPI's per-release data cannot be read."""
    tool = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(tool).exists():
        print("pip-audit is not installed", file=sys.stderr)
        return NOT_CHECKED
    result = subprocess.run([tool, "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off",
                             "-f", "json"], capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip()[-2000:], file=sys.stderr)
        return NOT_CHECKED
    packages = report.get("dependencies", [])
    unchecked = [p for p in packages if p.get("skip_reason")]
    if packages and len(unchecked) == len(packages):
        print(f"pip-audit could not check any package: {unchecked[0]['skip_reason']}", file=sys.stderr)
        return NOT_CHECKED
    vulnerable = [(p, v) for p in packages for v in p.get("vulns", [])]
    for package, vuln in vulnerable:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no release yet"
        print(f"{package['name']}=={package['version']}: {vuln['id']} (fixed in {fixed})")
    return 1 if vulnerable else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=Path(__file__).resolve().parents[1] / "requirements.lock")
    parser.add_argument("--db", type=Path, help="a folder of OSV advisories (works offline)")
    args = parser.parse_args(argv)
    pins = locked(args.lock)
    if args.db is None:
        return pip_audit(args.lock)
    if not args.db.is_dir():
        print(f"no advisory folder at {args.db}", file=sys.stderr)
        return NOT_CHECKED
    found = findings_in(args.db, pins)
    for finding in found:
        print(finding.line())
    print(f"{len(pins)} locked packages checked against {args.db}: {len(found)} known vulnerabilities",
          file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
