"""Contacts judged against one history are judged as each would be with a history of its own.

The gate keeps what it works out of a history alone with the history (`history.Attempts.memo`),
so that a dialer or the planner judging many contacts with one debtor works it out once. Over
the decision corpus (`gate_corpus`), each request's history is shared with other contacts: the
next requests of the corpus (other packs, parties, debts, flags, zones) and the request itself
some hours earlier and later (so that entries fall before or after the contact, numbers found
to be someone else's included). Each contact's answer with the shared history, whose memo the
earlier contacts filled, must equal its answer with a history parsed for it alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.unit.compliance.compliance_builders import attempt, request
from tests.unit.compliance.gate_corpus import corpus

from arrears.compliance.gate import check, check_outcome
from arrears.compliance.history import Attempts, outcomes_of
from arrears.compliance.request import Answer, CheckRequest, RequestError, parse_request

SHIFTS = [timedelta(days=-2), timedelta(hours=-5), timedelta(minutes=30), timedelta(hours=3), timedelta(days=1)]


def _said(answer: Answer) -> tuple[object, ...]:
    return (answer.decision, answer.rules, answer.reasons, answer.warnings, answer.citations, answer.pack_versions)


def _parsed(raw: dict[str, Any]) -> CheckRequest | None:
    try:
        return parse_request(raw)
    except RequestError:
        return None


def _with_history_of(raw: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    return {**raw, "history": base["history"]}


def _shifted(raw: dict[str, Any], by: timedelta) -> dict[str, Any]:
    return {**raw, "at": (datetime.fromisoformat(raw["at"]) + by).isoformat()}


def _sharing(request: CheckRequest, history_of: CheckRequest) -> CheckRequest:
    """`request` judged against the very history object of `history_of` (the same entries)."""
    shared = request.model_copy()
    facts = request.facts
    assert facts[3] == history_of.facts[3] and facts[3] is not history_of.facts[3]
    assert shared.__pydantic_private__ is not None
    shared.__pydantic_private__["_facts"] = (*facts[:3], history_of.facts[3], history_of.facts[4], facts[5])
    return shared


def _answers(request: CheckRequest, n: int) -> list[tuple[object, ...]]:
    answers = [_said(check(request))]
    possible = sorted(outcomes_of(request.action.channel.value))
    answers.append(_said(check_outcome(request, possible[n % len(possible)])))
    return answers


def test_contacts_sharing_a_history_get_the_answers_they_get_with_a_history_of_their_own() -> None:
    raws = [raw for raw in corpus() if raw.get("history")]
    compared = remembered = 0
    for n, base_raw in enumerate(raws[::3]):
        base = _parsed(base_raw)
        if base is None:
            continue
        first = _answers(base, n)
        others = [_with_history_of(raw, base_raw) for raw in raws[3 * n + 1: 3 * n + 4]]
        for m, raw in enumerate(others + [_shifted(base_raw, by) for by in SHIFTS]):
            alone = _parsed(raw)
            if alone is None:
                continue
            assert _answers(_sharing(alone, base), n + m) == _answers(alone, n + m), raw["id"]
            compared += 1
        assert _answers(base, n) == first, base_raw["id"]
        history = base.facts[3]
        assert isinstance(history, Attempts)
        remembered += bool(history.memo)
    assert compared > 3000 and remembered > 200  # not vacuous: many contacts, memos filled


def _us_call(day: int, hour: int, minute: int = 0) -> dict[str, Any]:
    return request(at=f"2026-03-{day:02d}T{hour:02d}:{minute:02d}:00-04:00", packs=("US",),
                   zones=("America/New_York",), address="+12125550100")


def _parsed_pair(history: list[dict[str, Any]], earlier: dict[str, Any], later: dict[str, Any]
                 ) -> tuple[CheckRequest, CheckRequest]:
    first, second = parse_request({**earlier, "history": history}), parse_request({**later, "history": history})
    return first, _sharing(second, first)


def test_a_number_found_to_be_someone_elses_counts_only_from_when_it_was_found_on_a_shared_history() -> None:
    # comment 14(b)(2)(i)-3: the week's calls to the other number count until it is found (11:00)
    other = "+12125550999"
    history = [attempt(f"2026-03-{day:02d}T10:00:00-04:00", address=other) for day in (3, 4, 5, 6, 7, 8, 9)]
    history.append(attempt("2026-03-09T11:00:00-04:00", "wrong_number", address=other))
    before, after = _us_call(9, 10, 30), _us_call(9, 14)
    for earlier, later in ((after, before), (before, after)):
        first, second = _parsed_pair(history, earlier, later)
        assert [check(first).rules, check(second).rules] == [check(parse_request({**r, "history": history})).rules
                                                             for r in (earlier, later)]
    assert check(parse_request({**before, "history": history})).rules == ["US-FREQ-01"]
    assert check(parse_request({**after, "history": history})).rules == []
