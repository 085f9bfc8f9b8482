"""The outcome tables the hot loops test against say exactly what `could_be` and `connected` say."""

from __future__ import annotations

import pytest

from arrears.compliance.history import EVERY_OUTCOME, PLANNED, Attempt, could_be, counted_values
from arrears.compliance.rules.common import CONVERSATION, NOT_CONNECTED, UNANSWERED, connected
from arrears.domain.vocabulary import Channel

VALUES = [*sorted(EVERY_OUTCOME), None, PLANNED, "something_else"]


def _attempt(channel: str, outcome: str | None) -> Attempt:
    return Attempt(0.0, channel, True, "debtor", "mobile", "m1", outcome, None, False, None)


@pytest.mark.parametrize("channel", [c.value for c in Channel])
@pytest.mark.parametrize("outcomes", [CONVERSATION, UNANSWERED, NOT_CONNECTED, frozenset({"no_answer"})])
def test_a_counted_value_is_exactly_an_outcome_that_could_be_counted(channel: str, outcomes: frozenset[str]) -> None:
    table = counted_values(channel, outcomes)
    for value in VALUES:
        assert (value in table) == could_be(_attempt(channel, value), outcomes), (channel, value)


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_an_attempt_is_connected_exactly_when_its_outcome_is_not_a_surely_unconnected_one(channel: str) -> None:
    for value in VALUES:
        assert connected(_attempt(channel, value)) == (value not in NOT_CONNECTED), (channel, value)
