"""An attempt whose outcome is not recorded yet (a reserved call, outcome null) counts as
everything it could still become, for every cap it could fill; an outcome that is known counts
as itself; a planned attempt counts as the planner assumes. A recorded outcome is judged
against the caps before it is written (`gate.check_outcome`)."""

from __future__ import annotations

from typing import Any

from compliance_builders import attempt, failed, request

from arrears.compliance.gate import check_outcome
from arrears.compliance.history import Attempt, could_be, may_be
from arrears.compliance.request import parse_request
from arrears.compliance.rules.common import CONVERSATION

TODAY = "2026-11-30T{}+08:00"
NY = "America/New_York"
US_PHONE = "+12125550100"


def unrecorded(at: str, **kw: Any) -> dict[str, Any]:
    return {**attempt(at, **kw), "outcome": None}


def planned(at: str, **kw: Any) -> dict[str, Any]:
    return {**unrecorded(at, **kw), "planned": True}


def reserved_calls(*times: str, **kw: Any) -> list[dict[str, Any]]:
    return [unrecorded(TODAY.format(t), **kw) for t in times]


def entry(channel: str, outcome: str | None) -> Attempt:
    return Attempt(0.0, channel, True, "debtor", "mobile", "+8613800138000", outcome, None, False, None)


# ---------------------------------------------------------------- what an entry may still be
def test_a_call_without_an_outcome_may_still_be_any_outcome_a_call_can_have() -> None:
    possible = may_be(entry("call", None))
    assert {"conversation", "refused", "dispute", "answered_other", "no_answer", "busy", "wrong_number"} <= possible
    assert "delivered" not in possible and "bounced" not in possible


def test_a_message_without_an_outcome_can_never_become_a_conversation() -> None:
    for channel in ("sms", "email", "letter", "voicemail"):
        assert not could_be(entry(channel, None), CONVERSATION), channel


def test_an_entry_with_a_known_outcome_counts_only_as_that_outcome() -> None:
    assert may_be(entry("call", "no_answer")) == {"no_answer"}
    assert could_be(entry("call", "refused"), CONVERSATION)


# ---------------------------------------------------------------- CN-FREQ-01/02, CN-3P-02
def test_three_reserved_calls_without_an_outcome_fill_the_days_effective_conversations() -> None:
    raw = request(at=TODAY.format("15:00:00"), history=reserved_calls("09:00:00", "10:00:00", "11:00:00"))
    assert failed(raw) == ["CN-FREQ-01"]


def test_two_reserved_calls_and_one_conversation_fill_the_cap_too() -> None:
    history = [*reserved_calls("09:00:00", "10:00:00"), attempt(TODAY.format("11:00:00"), "conversation")]
    assert "CN-FREQ-01" in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_calls_known_not_to_be_conversations_leave_the_effective_conversations_open() -> None:
    history = [attempt(TODAY.format(t), outcome) for t, outcome in
               (("09:00:00", "no_answer"), ("10:00:00", "busy"), ("11:00:00", "answered_other"))]
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_a_reserved_call_to_a_third_party_is_not_one_of_the_debtors_conversations() -> None:
    history = reserved_calls("09:00:00", "10:00:00", "11:00:00", party="emergency_contact", address="+8613900000000")
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_reserved_calls_without_an_outcome_count_as_unanswered_dials() -> None:
    history = reserved_calls(*(f"{9 + i:02d}:00:00" for i in range(6)))
    assert "CN-FREQ-02" in failed(request(at=TODAY.format("16:00:00"), history=history))


def test_planned_attempts_count_as_dials_but_never_as_conversations() -> None:
    history = [planned(TODAY.format(f"{9 + i:02d}:00:00")) for i in range(3)]
    assert failed(request(at=TODAY.format("15:00:00"), history=history)) == []
    six = [planned(TODAY.format(f"{9 + i:02d}:00:00")) for i in range(6)]
    assert failed(request(at=TODAY.format("16:00:00"), history=six)) == ["CN-FREQ-02"]


def test_calls_whose_outcome_is_not_recorded_do_not_prove_the_debtor_lost() -> None:
    yesterday = [unrecorded(f"2026-11-29T{h}:00:00+08:00") for h in ("09", "10", "11")]
    to_contact = {"party": "emergency_contact", "address": "+8613900000000", "purpose": "location"}
    assert "CN-3P-02" in failed(request(history=yesterday, **to_contact))
    known = [{**e, "outcome": "no_answer"} for e in yesterday]
    assert "CN-3P-02" not in failed(request(history=known, **to_contact))


# ---------------------------------------------------------------- US
def us_call(day: int, outcome: str | None, hour: int = 10) -> dict[str, Any]:
    made = attempt(f"2026-03-{day:02d}T{hour:02d}:00:00-05:00", "no_answer", address=US_PHONE)
    return {**made, "outcome": outcome}


def us_request(history: list[dict[str, Any]]) -> dict[str, Any]:
    return request(at="2026-03-09T14:00:00-04:00", packs=("US",), zones=(NY,), address=US_PHONE, history=history)


def test_a_us_call_without_an_outcome_starts_the_quiet_week_a_conversation_would() -> None:
    assert failed(us_request([us_call(6, None)])) == ["US-FREQ-02"]
    assert failed(us_request([us_call(6, "no_answer")])) == []


def test_us_calls_without_an_outcome_count_as_connected_calls() -> None:
    history = [us_call(d, None) for d in (3, 4, 5, 6, 7, 8, 9)]
    assert "US-FREQ-01" in failed(us_request(history))


# ---------------------------------------------------------------- recording an outcome
def recorded(outcome: str, history: list[dict[str, Any]], **kw: Any) -> Any:
    return check_outcome(parse_request(request(at=TODAY.format("15:00:00"), history=history, **kw)), outcome)


def test_recording_a_fourth_conversation_of_the_day_is_refused_naming_the_cap() -> None:
    history = [attempt(TODAY.format(t), "conversation") for t in ("09:00:00", "11:00:00", "13:00:00")]
    answer = recorded("conversation", history)
    assert (answer.decision, answer.rules) == ("deny", ["CN-FREQ-01"])
    assert "3" in answer.reasons[0]


def test_recording_a_no_answer_after_three_conversations_is_allowed() -> None:
    history = [attempt(TODAY.format(t), "conversation") for t in ("09:00:00", "11:00:00", "13:00:00")]
    assert recorded("no_answer", history).decision == "allow"


def test_other_reserved_calls_count_against_a_conversation_being_recorded() -> None:
    history = [*reserved_calls("09:00:00", "10:00:00"), attempt(TODAY.format("11:00:00"), "conversation")]
    assert recorded("conversation", history).rules == ["CN-FREQ-01"]


def test_recording_an_answered_call_after_six_unanswered_dials_is_allowed() -> None:
    history = [attempt(TODAY.format(f"{8 + i:02d}:30:00"), "no_answer") for i in range(6)]
    assert recorded("conversation", history).decision == "allow"
    assert recorded("no_answer", history).rules == ["CN-FREQ-02"]


def test_recording_judges_only_the_caps_not_what_changed_since_the_call_was_allowed() -> None:
    answer = recorded("conversation", [], flags={"installment_plan_active": True, "lost_contact": True})
    assert answer.decision == "allow"


def test_a_busy_us_call_is_recorded_even_with_seven_connected_calls_that_week() -> None:
    history = [us_call(d, "no_answer") for d in (3, 4, 5, 6, 7, 8)]
    raw = parse_request(us_request(history))
    assert check_outcome(raw, "busy").decision == "allow"
    assert check_outcome(raw, "no_answer").decision == "allow"
    seventh = parse_request(us_request([*history, us_call(9, "no_answer", hour=9)]))
    assert check_outcome(seventh, "no_answer").rules == ["US-FREQ-01"]
    assert check_outcome(seventh, "busy").decision == "allow"
