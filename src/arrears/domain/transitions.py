"""Status tables: the moves each status of a ``StrEnum`` may make, written once per status set.

A table names the statuses that may move and where to; every other status is final (it moves
nowhere). ``arrangements.decisions.ensure_transition`` refuses a move the table does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

S = TypeVar("S", bound=StrEnum)


def transitions(statuses: type[S], moves: Mapping[S, Iterable[S]]) -> Mapping[S, frozenset[S]]:
    """The read-only table of ``statuses``: each status with the statuses it may move to, in
    the enum's order; one that ``moves`` does not name is final."""
    return MappingProxyType({status: frozenset(moves.get(status, ())) for status in statuses})
