"""Replay (合规复核): re-judge the stored decisions of a date range under another pack version, and
list every decision that would come out differently. A decision is re-judged from the request it
judged (kept encrypted with it), history included, so only the packs differ. The other version is
the shipped packs tightened by an institution's overrides (``compliance.packs.GateConfig``), named
``<pack version>+<label>``.

Pre-contact decisions are replayed (``preview``, ``reserve``, ``check``); the judging of a logged
outcome (``outcome``) and decisions stored before requests were kept are counted, not replayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from arrears.compliance.packs import GateConfig
from arrears.domain.contacts import StoredDecision
from arrears.services.compliance_check import answer_value, is_error

REPLAYED_MODES = ("preview", "reserve", "check")


class StoredDecisions(Protocol):
    def between(self, start: datetime, end: datetime) -> Iterable[StoredDecision]: ...


@dataclass(frozen=True)
class Change:
    decision_id: int
    decided_for: datetime
    account_id: str | None
    mode: str
    before: str
    before_rules: list[str]
    after: str
    after_rules: list[str]
    packs_before: dict[str, str]
    packs_after: dict[str, str]


@dataclass
class ReplayReport:
    replayed: int = 0
    without_request: int = 0
    other_modes: int = 0
    errors: int = 0
    changes: list[Change] = field(default_factory=list)


def replay(decisions: Iterable[StoredDecision], config: GateConfig) -> ReplayReport:
    report = ReplayReport()
    for stored in decisions:
        if stored.mode not in REPLAYED_MODES:
            report.other_modes += 1
            continue
        if stored.request is None:
            report.without_request += 1
            continue
        answer = answer_value(stored.request, config=config)
        if is_error(answer):
            report.errors += 1
            continue
        report.replayed += 1
        after, after_rules = str(answer["decision"]), sorted(answer.get("rules") or [])
        if after != stored.decision or after_rules != sorted(stored.rules):
            report.changes.append(Change(stored.decision_id, stored.decided_for, stored.account_id, stored.mode,
                                         stored.decision, sorted(stored.rules), after, after_rules,
                                         stored.pack_versions, dict(answer.get("pack_versions") or {})))
    return report
