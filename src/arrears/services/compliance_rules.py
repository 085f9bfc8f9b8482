"""The rule book as the compliance officer reads it: every pack the gate uses, and each rule's
meaning, citation, confidence, parameters, the direction an institution may tighten each one, and
what the institution's overrides changed (tighten-only, checked when the gate is configured)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arrears.compliance.packs import PACK_ORDER, GateConfig, RuleSpec, default_config, load_pack


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    value: str
    shipped: str  # the pack's own value: differs from ``value`` where the institution tightened it
    tighten: str | None  # "higher" | "lower" | ... : which way an override may move it; None: fixed

    @property
    def overridden(self) -> bool:
        return self.value != self.shipped


@dataclass(frozen=True, slots=True)
class RuleView:
    id: str
    pack: str
    action: str
    confidence: str
    citation: str
    effective_from: str
    channels: tuple[str, ...]  # empty: every channel
    meaning_zh: str
    meaning_en: str
    parameters: tuple[Parameter, ...]

    def meaning(self, language: str) -> str:
        return self.meaning_en if language == "en" else self.meaning_zh

    @property
    def overridden(self) -> bool:
        return any(p.overridden for p in self.parameters)


@dataclass(frozen=True, slots=True)
class PackView:
    code: str
    version: str
    title: str
    rules: tuple[RuleView, ...]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def _rule(spec: RuleSpec, shipped: RuleSpec) -> RuleView:
    parameters = tuple(Parameter(name, _text(value), _text(shipped.params.get(name, value)), spec.tighten.get(name))
                       for name, value in spec.params.items())
    return RuleView(spec.id, spec.pack, str(spec.action), spec.confidence, spec.citation,
                    spec.effective_from.isoformat() if spec.effective_from else "",
                    tuple(sorted(spec.channels or ())), spec.meaning_zh, spec.meaning_en, parameters)


def rule_book(config: GateConfig | None = None) -> tuple[PackView, ...]:
    """Every pack in the gate's order, its rules in the pack's order."""
    config = config or default_config()
    books = []
    for code in PACK_ORDER:
        pack, shipped = config.pack(code), load_pack(code)
        books.append(PackView(code, pack.version, pack.title,
                              tuple(_rule(spec, shipped.rule(spec.id)) for spec in pack.rules)))
    return tuple(books)


def rule_ids(config: GateConfig | None = None) -> frozenset[str]:
    return frozenset(rule.id for pack in rule_book(config) for rule in pack.rules)
