"""Decisions that explain themselves, and the allowed-transition check shared by the
arrangement state machines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, Self, TypeVar

from arrears.domain.reasons import Reason

S = TypeVar("S", bound=StrEnum)


class Reviewable(Protocol):
    """An arrangement with a status that its payments may move (a plan, a settlement)."""

    @property
    def status(self) -> Any: ...

    def moved_to(self, target: Any, on: date) -> Self: ...


R = TypeVar("R", bound=Reviewable)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one rule: allowed or not, and why (a `Reason`: the rule, zh and en, and
    what it rests on). ``field`` names the input a refusal is about (e.g. ``amount``), when it
    is about one."""

    allowed: bool
    reason: Reason
    field: str = ""

    @property
    def rule_id(self) -> str:
        return self.reason.rule_id

    # The names the answers show (JSON, the 202 model): kept as views of the reason.
    @property
    def reason_zh(self) -> str:
        return self.reason.zh

    @property
    def reason_en(self) -> str:
        return self.reason.en

    @property
    def citation(self) -> str:
        return self.reason.citation

    def as_dict(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "rule_id": self.rule_id,
            "allowed": self.allowed,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "citation": self.citation,
        }
        if self.field:
            answer["field"] = self.field
        return answer


def allow(rule_id: str, zh: str, en: str, citation: str = "") -> Decision:
    return Decision(True, Reason(rule_id, zh, en, citation))


def deny(rule_id: str, zh: str, en: str, citation: str = "", *, field: str = "") -> Decision:
    return Decision(False, Reason(rule_id, zh, en, citation), field)


def first_refusal(decisions: Iterable[Decision]) -> Decision | None:
    """The first decision that does not allow, or None when all allow."""
    return next((d for d in decisions if not d.allowed), None)


class TransitionError(ValueError):
    """A status change that the state machine's table does not allow."""


def ensure_transition(table: Mapping[S, frozenset[S]], current: S, target: S, what: str) -> S:
    """Return ``target`` when ``current -> target`` is in the table, else raise."""
    if target not in table.get(current, frozenset()):
        allowed = ", ".join(sorted(table.get(current, frozenset()))) or "none"
        raise TransitionError(
            f"{what}: {current} -> {target} is not allowed (from {current}: {allowed})"
        )
    return target


def reviewed(arrangement: R, status: StrEnum, on: date) -> R:
    """``arrangement`` moved to ``status`` on ``on``; as it is when it already has that status."""
    return arrangement if status is arrangement.status else arrangement.moved_to(status, on)
