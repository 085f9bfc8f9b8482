"""Errors the workbench raises; each says what was wrong, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.services.contact_gate_port import GateVerdict


@dataclass
class WorkbenchError(Exception):
    zh: str
    en: str
    field: str | None = None

    def message(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class NotFound(WorkbenchError):
    """Absent, or outside the user's scope (the two are not told apart)."""


class Forbidden(WorkbenchError):
    """The user's role or standing does not allow this."""


@dataclass
class NotEligible(Forbidden):
    rules: tuple[str, ...] = ()


class InvalidInput(WorkbenchError):
    """A value is wrong; ``field`` names it."""


class LoginRefused(WorkbenchError):
    """Wrong name or password, locked, or inactive."""


class Conflict(WorkbenchError):
    """The state changed under the request (e.g. a follow-up already done)."""


@dataclass
class ContactBlocked(WorkbenchError):
    verdict: GateVerdict = field(default_factory=lambda: GateVerdict("deny"))
