"""History entries flattened for counting: built once when a request is parsed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from arrears.compliance.request import HistoryEntry

# parties that are the debtor for counting purposes (history `unknown`/absent: assume debtor)
DEBTOR_LIKE = frozenset({"debtor", "unknown", None})


class Attempt(NamedTuple):
    """One history entry, flattened for fast counting (parsed once, with the request).

    Text fields hold the request's StrEnum members, which compare and hash as their strings.
    """

    ts: float
    channel: str
    outbound: bool
    party: str | None
    kind: str | None
    address: str | None
    outcome: str | None
    debt_ids: frozenset[str] | None  # None = not known: concerns every debt
    automated: bool
    agency_id: str | None

    @property
    def to_debtor(self) -> bool:
        return self.party in DEBTOR_LIKE

    def about(self, debt_id: str | None) -> bool:
        return debt_id is None or not self.debt_ids or debt_id in self.debt_ids


def flatten(entry: HistoryEntry) -> Attempt:
    to = entry.to
    return Attempt(
        entry.at.timestamp(),
        entry.channel,
        entry.direction != "inbound",
        to.party if to is not None else None,
        to.kind if to is not None else None,
        to.address if to is not None else None,
        entry.outcome,
        frozenset(entry.debt_ids) if entry.debt_ids else None,
        bool(entry.automated),
        entry.agency_id,
    )


def flatten_history(history: Iterable[HistoryEntry] | None) -> tuple[Attempt, ...]:
    """The history, oldest first, flattened."""
    return tuple(sorted(map(flatten, history or ()), key=_by_time))


def _by_time(attempt: Attempt) -> float:
    return attempt.ts
