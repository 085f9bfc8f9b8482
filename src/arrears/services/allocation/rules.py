"""Allocation rules as a YAML file (``default_rules.yaml`` ships; ``ARREARS_ALLOCATION_RULES``
names another): read into the domain's rules and agency terms, with errors that name the file
and the field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from arrears.domain.allocation import IN_HOUSE, AllocationRule
from arrears.domain.commission import Agreement, CommissionError, parse_bands

DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


class RulesError(ValueError):
    """An allocation rules file that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class AgencyConfig:
    capacity: int
    placement_days: int
    commission: Agreement | None = None  # 佣金协议; None: no commission terms on file


@dataclass(frozen=True)
class AllocationRules:
    rules: tuple[AllocationRule, ...]
    agencies: dict[str, AgencyConfig]
    source: str


def _fail(path: Path, where: str, problem: str) -> RulesError:
    return RulesError(f"{path}: {where}: {problem}")


def _money(path: Path, where: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise _fail(path, where, "write money as text, e.g. \"20000.00\" (a float is not exact)")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _fail(path, where, f"{value!r} is not an amount") from None


def _positive(path: Path, where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail(path, where, f"{value!r} is not a whole number of at least 1")
    return value


def _strings(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, where, "a list of names")
    return tuple(value)


def _rule(path: Path, index: int, raw: Any, agencies: dict[str, AgencyConfig]) -> AllocationRule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise _fail(path, where, "a rule needs a name")
    unknown = set(raw) - {"name", "target", "buckets", "min_balance", "max_balance", "regions", "segments"}
    if unknown:
        raise _fail(path, f"{where}.{sorted(unknown)[0]}", "not a rule field")
    target = raw.get("target")
    targets = (IN_HOUSE,) if target == IN_HOUSE else _strings(path, f"{where}.target", target)
    if not targets:
        raise _fail(path, f"{where}.target", f"{IN_HOUSE} or a list of agencies")
    missing = [a for a in targets if a != IN_HOUSE and a not in agencies]
    if missing:
        raise _fail(path, f"{where}.target", f"agency {missing[0]} has no capacity under agencies:")
    return AllocationRule(raw["name"], targets, frozenset(_strings(path, f"{where}.buckets", raw.get("buckets"))),
                          _money(path, f"{where}.min_balance", raw.get("min_balance")),
                          _money(path, f"{where}.max_balance", raw.get("max_balance")),
                          _strings(path, f"{where}.regions", raw.get("regions")),
                          frozenset(_strings(path, f"{where}.segments", raw.get("segments"))))


def _rate(path: Path, where: str, value: Any) -> Decimal:
    rate = _money(path, where, value)
    if rate is None or not Decimal(0) <= rate <= Decimal(1):
        raise _fail(path, where, f"{value!r} is not a rate between 0 and 1 (as text, e.g. \"0.15\")")
    return rate


def _agreement(path: Path, where: str, agency_id: str, raw: Any) -> Agreement | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or ("by_bucket" in raw) == ("bands" in raw):
        raise _fail(path, where, "by_bucket or bands (one of them), and holdback_per_finding")
    holdback = _rate(path, f"{where}.holdback_per_finding", raw.get("holdback_per_finding", "0"))
    if "by_bucket" in raw:
        if not isinstance(raw["by_bucket"], dict) or not raw["by_bucket"]:
            raise _fail(path, f"{where}.by_bucket", "bucket: rate pairs")
        rates = tuple((str(b), _rate(path, f"{where}.by_bucket.{b}", r)) for b, r in raw["by_bucket"].items())
        return Agreement(agency_id, by_bucket=rates, holdback_per_finding=holdback)
    bands = raw["bands"]
    if not isinstance(bands, list) or not all(isinstance(b, dict) for b in bands):
        raise _fail(path, f"{where}.bands", "a list of {upto, rate}")
    try:
        parsed = parse_bands([(_money(path, f"{where}.bands[{i}].upto", b.get("upto")),
                               _rate(path, f"{where}.bands[{i}].rate", b.get("rate"))) for i, b in enumerate(bands)])
    except CommissionError as error:
        raise _fail(path, f"{where}.bands", str(error)) from None
    return Agreement(agency_id, bands=parsed, holdback_per_finding=holdback)


def read_rules(path: Path | None = None) -> AllocationRules:
    path = path or DEFAULT_RULES
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise RulesError(f"{path}: not YAML: {error}") from None
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise _fail(path, "version", "must be 1")
    agencies = {}
    for agency_id, terms in (raw.get("agencies") or {}).items():
        if not isinstance(terms, dict):
            raise _fail(path, f"agencies.{agency_id}", "capacity and placement_days")
        where = f"agencies.{agency_id}"
        agencies[str(agency_id)] = AgencyConfig(
            _positive(path, f"{where}.capacity", terms.get("capacity")),
            _positive(path, f"{where}.placement_days", terms.get("placement_days")),
            _agreement(path, f"{where}.commission", str(agency_id), terms.get("commission")))
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise _fail(path, "rules", "a list of at least one rule")
    return AllocationRules(tuple(_rule(path, i, r, agencies) for i, r in enumerate(rules)), agencies, str(path))
