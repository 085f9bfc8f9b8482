"""Rule packs as versioned data (one JSON file per pack) and tighten-only institution overrides.

A pack file names its version (e.g. "CN-2026.11") and, for every rule: id, default action,
citation, confidence, effective date, parameters, which parameters an institution may tighten
and in which direction, the channels it applies to, and its meaning in zh and en.
Reading the files is reading package data (importlib.resources), not IO on user data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from arrears.compliance.outcome import STRICTNESS, RuleResult, Verdict
from arrears.domain.reasons import Reason

PACK_ORDER: tuple[str, ...] = ("CN", "US", "US-MA", "US-NYC", "US-WA", "UK")


class OverrideError(ValueError):
    """An institution override that is unknown or would loosen a rule."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    pack: str
    action: Verdict
    citation: str
    confidence: str
    effective_from: date | None
    params: Mapping[str, Any]
    tighten: Mapping[str, str]
    channels: frozenset[str] | None
    meaning_zh: str
    meaning_en: str
    _pass: RuleResult | None = field(default=None, compare=False, repr=False)
    # results said before, by outcome, wording and its arguments (see `said`)
    _said: dict[tuple[str, Callable[..., tuple[str, str]], tuple[Hashable, ...]], RuleResult] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def applies_to(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    def ok(self) -> RuleResult:
        assert self._pass is not None
        return self._pass

    def result(self, outcome: Verdict, zh: str, en: str) -> RuleResult:
        return RuleResult(outcome, Reason(self.id, zh, en, self.citation))

    def deny(self, zh: str, en: str) -> RuleResult:
        return self.result(Verdict.DENY, zh, en)

    def review(self, zh: str, en: str) -> RuleResult:
        return self.result(Verdict.REVIEW, zh, en)

    def warn(self, zh: str, en: str) -> RuleResult:
        return self.result(Verdict.WARN, zh, en)

    def act(self, zh: str, en: str) -> RuleResult:
        """The rule's configured action (`params.action`, else its default action)."""
        return self.result(Verdict(self.params.get("action", self.action)), zh, en)

    def said(self, outcome: Verdict, wording: Callable[..., tuple[str, str]], *args: Hashable) -> RuleResult:
        """`result(outcome, *wording(*args))`, made once and kept (a result is immutable): a rule
        that stops many contacts with one of a few sentences (a count over a cap, about a debt)
        words it once instead of per contact. Kept for the last few thousand sentences."""
        key = (outcome._value_, wording, args)  # the member's text: hashing a member runs Python code
        said = self._said.get(key)
        if said is None:
            if len(self._said) >= _SAID_KEPT:
                self._said.clear()
            said = self._said[key] = self.result(outcome, *wording(*args))
        return said

    def acts(self, wording: Callable[..., tuple[str, str]], *args: Hashable) -> RuleResult:
        """`act(*wording(*args))`, made once and kept, as `said`."""
        key = ("(act)", wording, args)
        said = self._said.get(key)
        if said is None:
            if len(self._said) >= _SAID_KEPT:
                self._said.clear()
            said = self._said[key] = self.act(*wording(*args))
        return said


_SAID_KEPT = 4096


@dataclass(frozen=True, slots=True)
class Pack:
    code: str
    version: str
    title: str
    rules: tuple[RuleSpec, ...]

    def rule(self, rule_id: str) -> RuleSpec:
        for spec in self.rules:
            if spec.id == rule_id:
                return spec
        raise KeyError(rule_id)


def _spec(code: str, raw: Mapping[str, Any]) -> RuleSpec:
    effective = raw.get("effective_from")
    channels = raw.get("channels")
    spec = RuleSpec(
        id=raw["id"],
        pack=code,
        action=Verdict(raw["action"]),
        citation=raw["citation"],
        confidence=raw["confidence"],
        effective_from=date.fromisoformat(effective) if effective else None,
        params=MappingProxyType(dict(raw.get("params", {}))),
        tighten=MappingProxyType(dict(raw.get("tighten", {}))),
        channels=frozenset(channels) if channels is not None else None,
        meaning_zh=raw["meaning"]["zh"],
        meaning_en=raw["meaning"]["en"],
    )
    return _with_pass(spec)


def _with_pass(spec: RuleSpec) -> RuleSpec:
    return replace(spec, _pass=RuleResult(Verdict.PASS, Reason(spec.id, "", "", spec.citation)))


def pack_file(code: str) -> str:
    return f"{code.lower()}.json"


@cache
def load_pack(code: str) -> Pack:
    """The pack `code` as shipped (cached: packs are immutable data)."""
    if code not in PACK_ORDER:
        raise KeyError(f"unknown rule pack {code!r}")
    text = resources.files(__name__).joinpath(pack_file(code)).read_text(encoding="utf-8")
    raw = json.loads(text)
    rules = tuple(_spec(code, item) for item in raw["rules"])
    return Pack(code=raw["pack"], version=raw["version"], title=raw["title"], rules=rules)


# ---------------------------------------------------------------- tighten-only overrides
def _as_time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise OverrideError(f"{where}: expected a time of day HH:MM:SS, got {value!r}") from None


def _comparable(default: Any, value: Any, where: str) -> tuple[Any, Any]:
    if isinstance(default, bool) or isinstance(value, bool):
        raise OverrideError(f"{where}: this parameter cannot be overridden")
    if isinstance(default, int):
        if not isinstance(value, int):
            raise OverrideError(f"{where}: expected a whole number, got {value!r}")
        return default, value
    if isinstance(default, str) and default in STRICTNESS_BY_NAME:
        if value not in STRICTNESS_BY_NAME:
            raise OverrideError(f"{where}: expected one of warn, review, deny, got {value!r}")
        return STRICTNESS_BY_NAME[default], STRICTNESS_BY_NAME[value]
    return _as_time(default, where), _as_time(value, where)


STRICTNESS_BY_NAME = {verdict.value: rank for verdict, rank in STRICTNESS.items()}


def _check_tightening(spec: RuleSpec, name: str, value: Any) -> None:
    where = f"{spec.id}.{name}"
    if name not in spec.params:
        raise OverrideError(f"{where}: no such parameter")
    direction = spec.tighten.get(name)
    if direction is None:
        raise OverrideError(f"{where}: this parameter is fixed by the pack and cannot be changed")
    default, new = _comparable(spec.params[name], value, where)
    tighter = new <= default if direction == "lower" else new >= default
    if not tighter:
        raise OverrideError(
            f"{where}: {value!r} would loosen the rule (pack value {spec.params[name]!r}); "
            f"an institution may only make it stricter ({direction} is stricter)"
        )


def _check_window(spec: RuleSpec, params: Mapping[str, Any]) -> None:
    if "allowed_from" in params and "allowed_until" in params:
        start = _as_time(params["allowed_from"], f"{spec.id}.allowed_from")
        end = _as_time(params["allowed_until"], f"{spec.id}.allowed_until")
        if start >= end:
            raise OverrideError(f"{spec.id}: allowed_from must be before allowed_until")


def override_pack(pack: Pack, overrides: Mapping[str, Mapping[str, Any]], label: str) -> Pack:
    """`pack` with its parameters tightened; raises OverrideError on any loosening."""
    rules = []
    for spec in pack.rules:
        changes = overrides.get(spec.id)
        if not changes:
            rules.append(spec)
            continue
        for name, value in changes.items():
            _check_tightening(spec, name, value)
        params = {**spec.params, **changes}
        _check_window(spec, params)
        rules.append(_with_pass(replace(spec, params=MappingProxyType(params))))
    return replace(pack, version=f"{pack.version}+{label}", rules=tuple(rules))


@dataclass(frozen=True)
class GateConfig:
    """Which packs the gate uses: the shipped ones, tightened by an institution if it says so."""

    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    label: str = "institution"
    _packs: dict[str, Pack] = field(default_factory=dict, compare=False, repr=False)
    plans: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)  # gate cache

    def __post_init__(self) -> None:
        known = {spec.id for code in PACK_ORDER for spec in load_pack(code).rules}
        unknown = sorted(set(self.overrides) - known)
        if unknown:
            raise OverrideError(f"unknown rule id(s) in overrides: {', '.join(unknown)}")
        for code in PACK_ORDER:  # validate eagerly: a bad config fails at start-up
            pack = load_pack(code)
            mine = {k: v for k, v in self.overrides.items() if _has_rule(pack, k)}
            self._packs[code] = override_pack(pack, mine, self.label) if mine else pack

    def pack(self, code: str) -> Pack:
        return self._packs[code]


def _has_rule(pack: Pack, rule_id: str) -> bool:
    return any(spec.id == rule_id for spec in pack.rules)


@lru_cache(maxsize=1)
def default_config() -> GateConfig:
    return GateConfig()
