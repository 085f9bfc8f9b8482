"""History entries flattened for counting: built once when a request is parsed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from arrears.compliance.request import HistoryEntry

# parties that are the debtor for counting purposes (history `unknown`/absent: assume debtor)
DEBTOR_LIKE = frozenset({"debtor", "unknown", None})


class Attempt(NamedTuple):
    """One history entry, flattened for fast counting (parsed once, with the request).

    Text fields are plain strings (see `plain`).
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


def plain(member: StrEnum | None) -> str | None:
    """The member's text as a plain `str`: StrEnum hashing runs Python code, plain str does not,
    and the counters test set membership many times."""
    return None if member is None else member._value_


def flatten(entry: HistoryEntry) -> Attempt:
    to = entry.to
    return Attempt(
        entry.at.timestamp(),
        entry.channel._value_,
        entry.direction is None or entry.direction._value_ == "outbound",
        plain(to.party) if to is not None else None,
        plain(to.kind) if to is not None else None,
        to.address if to is not None else None,
        plain(entry.outcome),
        frozenset(entry.debt_ids) if entry.debt_ids else None,
        bool(entry.automated),
        entry.agency_id,
    )


def flatten_history(history: Iterable[HistoryEntry] | None) -> tuple[Attempt, ...]:
    """The history, oldest first, flattened."""
    return tuple(sorted(map(flatten, history or ()), key=by_time))


by_time: Callable[[Attempt], float] = itemgetter(0)  # an attempt's ts (C-level: sorts call it per entry)
