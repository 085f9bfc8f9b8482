"""History entries flattened for counting: built once when a request is parsed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from arrears.compliance.request import HistoryEntry

# parties that are the debtor for counting purposes (history `unknown`/absent: assume debtor)
DEBTOR_LIKE = frozenset({"debtor", "unknown", None})

# What an attempt whose outcome is not known yet (reserved, under way, or simply not recorded)
# may still turn out to be, by channel (portfolio-v1's outcome vocabulary). A call may become a
# conversation with the person called (also a refusal or a dispute, which are said in one), be
# answered by someone else, ring out, reach a machine, drop, be busy, or find a dead number.
_CALL = frozenset({"conversation", "refused", "dispute", "answered_other", "no_answer", "voicemail", "dropped",
                   "busy", "not_in_service", "wrong_number", "failed"})
_RINGLESS_VOICEMAIL = frozenset({"voicemail", "delivered", "busy", "not_in_service", "wrong_number", "failed"})
_WRITTEN = frozenset({"delivered", "failed", "bounced", "wrong_number"})
_VISIT = frozenset({"conversation", "refused", "dispute", "answered_other", "no_answer", "wrong_number", "failed"})
UNKNOWN_OUTCOME_MAY_BE: dict[str, frozenset[str]] = {
    "call": _CALL, "voicemail": _RINGLESS_VOICEMAIL, "sms": _WRITTEN, "email": _WRITTEN, "letter": _WRITTEN,
    "visit": _VISIT,
}
EVERY_OUTCOME = _CALL | _RINGLESS_VOICEMAIL | _WRITTEN | _VISIT

# An attempt planned earlier in the same daily plan, not made yet (history entry `planned: true`
# with no outcome). The planner assumes it is made and reaches no one: it counts as a dial and
# a touch, never as a conversation. It is judged again, with the real ledger, when a collector
# or a dialer reserves it, and there an attempt without an outcome may be anything.
PLANNED = "(planned)"
PLANNED_MAY_BE = frozenset({"no_answer"})
_KNOWN: dict[str, frozenset[str]] = {outcome: frozenset((outcome,)) for outcome in EVERY_OUTCOME}


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
    # a voicemail left that was a limited-content message (1006.2(j)): True, False or not known
    limited_content: bool | None = None

    @property
    def to_debtor(self) -> bool:
        return self.party in DEBTOR_LIKE

    def about(self, debt_id: str | None) -> bool:
        return debt_id is None or not self.debt_ids or debt_id in self.debt_ids


def outcomes_of(channel: str) -> frozenset[str]:
    """Every outcome an attempt on `channel` can have (what an unrecorded one may still be)."""
    return UNKNOWN_OUTCOME_MAY_BE.get(channel, EVERY_OUTCOME)


def may_be(attempt: Attempt) -> frozenset[str]:
    """Every outcome this entry has or may still turn out to have: the one place that decides
    what an entry counts as. A known outcome is itself; an unknown one (a reserved attempt) is
    every outcome its channel can have, so it counts against every cap it could still fill; a
    planned one is what the planner assumes (PLANNED_MAY_BE)."""
    outcome = attempt.outcome
    if outcome is None:
        return outcomes_of(attempt.channel)
    if outcome == PLANNED:
        return PLANNED_MAY_BE
    return _KNOWN.get(outcome) or frozenset((outcome,))


def could_be(attempt: Attempt, outcomes: frozenset[str]) -> bool:
    """The entry is, or may still turn out to be, one of `outcomes`: a cap counts it."""
    outcome = attempt.outcome
    if outcome in outcomes:  # known and counted: the usual case, without building anything
        return True
    return not may_be(attempt).isdisjoint(outcomes)


def counted_values(channel: str, outcomes: frozenset[str]) -> frozenset[str | None]:
    """The values of `outcome` for which an entry on `channel` could be one of `outcomes`
    (`could_be` unrolled over the vocabulary, None and PLANNED included), so that a hot loop
    tests `attempt.outcome in values` instead of calling `could_be` on every entry. An outcome
    outside the vocabulary counts only when it is in `outcomes`, as in `could_be`."""
    values: set[str | None] = set(outcomes)
    if not outcomes_of(channel).isdisjoint(outcomes):
        values.add(None)
    if not PLANNED_MAY_BE.isdisjoint(outcomes):
        values.add(PLANNED)
    return frozenset(values)


@lru_cache(maxsize=1024)
def counted_on(channel: str, outcomes: frozenset[str]) -> frozenset[str | None]:
    """`counted_values`, worked out once per channel and outcome set: `outcome in
    counted_on(channel, outcomes)` says what `could_be` says of an entry on `channel` (of the
    contact judged, `ctx.proposed`, without building it)."""
    return counted_values(channel, outcomes)


def surely(attempt: Attempt, outcomes: frozenset[str]) -> bool:
    """Whatever the entry turns out to be, it is one of `outcomes` (e.g. proven not connected)."""
    return may_be(attempt) <= outcomes


def plain(member: StrEnum | None) -> str | None:
    """The member's text as a plain `str`: StrEnum hashing runs Python code, plain str does not,
    and the counters test set membership many times."""
    return None if member is None else member._value_


# Words that take a voicemail beyond a limited-content message (1006.2(j): a business name that
# does not indicate debt collection, a request to reply, names and numbers): any debt fact or
# collection word. Only voicemails whose text is given are read, once, when the request is parsed.
_BEYOND_LCM = re.compile(
    r"\b(?:debts?|owe[sd]?|owing|balance|payments?|pay|past due|overdue|delinquen\w*|collect\w*"
    r"|account|arrears|amount|\$\s?\d|settle\w*|credit card|loan|lawsuit|legal)\b",
    re.IGNORECASE,
)


def limited_content(entry: HistoryEntry) -> bool | None:
    """Was the voicemail this entry left a limited-content message? The entry's own word when it
    gives one; else, for a voicemail with its text, whether the text stays within 1006.2(j)."""
    if entry.limited_content is not None:
        return entry.limited_content
    left = entry.channel._value_ == "voicemail" or (entry.outcome is not None and entry.outcome._value_ == "voicemail")
    if not left or entry.message is None:
        return None
    return _BEYOND_LCM.search(entry.message) is None


def flatten(entry: HistoryEntry) -> Attempt:
    to = entry.to
    return Attempt(
        entry.at.timestamp(),
        entry.channel._value_,
        entry.direction is None or entry.direction._value_ == "outbound",
        plain(to.party) if to is not None else None,
        plain(to.kind) if to is not None else None,
        to.address if to is not None else None,
        PLANNED if entry.planned and entry.outcome is None else plain(entry.outcome),
        frozenset(entry.debt_ids) if entry.debt_ids else None,
        bool(entry.automated),
        entry.agency_id,
        limited_content(entry) if entry.message is not None or entry.limited_content is not None else None,
    )


class Attempts(tuple[Attempt, ...]):
    """A history, oldest first, that keeps what the counters work out of it (`memo`): the gate
    may judge many contacts against one history (a dialer's or the planner's contacts with one
    debtor), and what depends on the history alone is then worked out once. A memo key names
    everything of the contact its value depends on; the values are never changed."""

    memo: dict[object, object]

    def __new__(cls, attempts: Iterable[Attempt] = ()) -> Attempts:
        history = super().__new__(cls, attempts)
        history.memo = {}
        return history


def flatten_history(history: Iterable[HistoryEntry] | None) -> Attempts:
    """The history, oldest first, flattened."""
    return Attempts(sorted(map(flatten, history or ()), key=by_time))


by_time: Callable[[Attempt], float] = itemgetter(0)  # an attempt's ts (C-level: sorts call it per entry)
