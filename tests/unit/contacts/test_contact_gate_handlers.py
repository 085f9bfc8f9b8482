"""The contact gate's commands on the in-memory ledger: judged from the stored facts through
``compliance.facts``, reserved and recorded in the caller's unit of work (never committed by
the gate), refused outcomes and attempts written nowhere. No IO."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.memory_contacts import MemoryContactLedger, MemoryContactsUnitOfWork
from arrears.compliance import facts
from arrears.compliance.facts import PointFacts
from arrears.compliance.packs import GateConfig
from arrears.domain.contacts import Attempt, Logged, StoredContact, StoredDebtor
from arrears.services.contacts import gate
from arrears.services.contacts.gate import Judge, PreviewContact, RecordOutcome, ReserveAttempt, UnknownAccount
from arrears.services.contacts.ports import (
    AttemptClosed,
    AttemptUnknown,
    ContactRequest,
    OutcomeNotPossible,
)

MORNING = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = PointFacts("P1", "mobile", "debtor", "h" * 32, consent=True, status="valid")
JUDGE = Judge()


def _uow() -> MemoryContactsUnitOfWork:
    ledger = MemoryContactLedger(
        debtors={"A1": StoredDebtor("A1", "C1", "", None, "Asia/Shanghai", "CN", "zh")},
        contact_points={"C1": (PHONE,)})
    return MemoryContactsUnitOfWork(ledger)


def _call(at: datetime = MORNING) -> ContactRequest:
    return ContactRequest("A1", "call", at, "P1", None)


def _reserve(uow: MemoryContactsUnitOfWork, attempt_id: str, at: datetime = MORNING) -> str | None:
    return gate.reserve(uow, JUDGE, ReserveAttempt(_call(at), attempt_id)).attempt_id


def test_an_allowed_reservation_is_in_the_ledger_with_its_decision_only_once_the_caller_commits() -> None:
    uow = _uow()
    with uow:
        verdict = gate.reserve(uow, JUDGE, ReserveAttempt(_call(), "T1"))
        assert verdict.allowed and uow.ledger.get("T1") is not None
        assert [d.mode for d in uow.decisions.decisions] == ["reserve"]
    assert (uow.ledger.attempts, uow.decisions.decisions, uow.commits) == ({}, [], 0)  # nobody committed


def test_the_reservation_takes_the_debtors_lock_before_it_judges() -> None:
    uow = _uow()
    with uow:
        _reserve(uow, "T1")
    assert uow.ledger.locks == ["C1"]


def test_a_fourth_conversation_in_a_day_is_refused_and_leaves_no_attempt() -> None:
    uow = _uow()
    with uow:
        for n in range(3):
            attempt = _reserve(uow, f"T{n}", MORNING + timedelta(hours=n))
            assert attempt is not None
            assert gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "conversation", MORNING)).allowed
        fourth = gate.reserve(uow, JUDGE, ReserveAttempt(_call(MORNING + timedelta(hours=4)), "T4"))
        assert not fourth.allowed and "CN-FREQ-01" in fourth.rules
        assert uow.ledger.get("T4") is None and uow.decisions.decisions[-1].decision == "deny"


def test_an_outcome_that_would_break_a_cap_is_audited_and_not_written() -> None:
    uow = _uow()
    with uow:
        attempt = _reserve(uow, "T1")
        assert attempt is not None
        uow.ledger.ingested["C1"] = [  # three conversations reach the ledger meanwhile (made elsewhere)
            StoredContact(MORNING + timedelta(minutes=n), "call", "outbound", "P1", "debtor", "conversation", "A1",
                          None) for n in range(1, 4)]
        refused = gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "conversation", MORNING))
        assert not refused.allowed and "CN-FREQ-01" in refused.rules
        assert uow.ledger.attempts[attempt].outcome is None and uow.decisions.decisions[-1].mode == "outcome"
        assert gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "no_answer", MORNING)).allowed
        assert uow.ledger.attempts[attempt].outcome == "no_answer"


def test_an_unknown_a_completed_and_an_impossible_outcome_are_refused_without_a_decision() -> None:
    uow = _uow()
    with uow:
        attempt = _reserve(uow, "T1")
        assert attempt is not None
        decisions = len(uow.decisions.decisions)
        with pytest.raises(OutcomeNotPossible):
            gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "bounced", MORNING))
        with pytest.raises(AttemptUnknown):
            gate.record_outcome(uow, JUDGE, RecordOutcome("nope", "no_answer", MORNING))
        gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "no_answer", MORNING))
        with pytest.raises(AttemptClosed):
            gate.record_outcome(uow, JUDGE, RecordOutcome(attempt, "no_answer", MORNING))
        assert len(uow.decisions.decisions) == decisions + 1


def test_a_preview_is_audited_and_reserves_nothing() -> None:
    uow = _uow()
    with uow:
        assert gate.preview(uow, JUDGE, PreviewContact(_call())).allowed
        assert (uow.ledger.attempts, [d.mode for d in uow.decisions.decisions]) == ({}, ["preview"])


def test_an_unknown_account_is_refused_before_anything_is_judged() -> None:
    uow = _uow()
    with uow, pytest.raises(UnknownAccount):
        gate.reserve(uow, JUDGE, ReserveAttempt(ContactRequest("A9", "call", MORNING, None), "T1"))


def test_the_gate_reads_history_back_over_the_one_look_back_window_of_the_packs() -> None:
    uow = _uow()
    built = gate.build(uow.ledger, JUDGE, _call(), "zh")
    assert JUDGE.lookback == timedelta(days=facts.LOOKBACK_DAYS)
    assert built.raw["debtor"]["flags"] == {"tcpa_consent": True}  # the number used was given with consent


def test_the_look_back_window_is_the_longest_rule_window_of_the_packs_plus_a_day() -> None:
    assert facts.lookback_days() == 31  # US-MA-01: 30 days to other numbers
    tightened = GateConfig({"US-FREQ-02": {"quiet_days_after_conversation": 40}})
    assert facts.lookback_days(tightened) == 43  # 40 quiet days, read back 2 more, plus a day


def test_the_one_flag_set_joins_the_account_flags_the_contact_points_and_the_consent() -> None:
    points = (PointFacts("P1", "mobile", "debtor", "a", do_not_contact=True, status="invalid"),
              PointFacts("P2", "mobile", "spouse", "b", do_not_contact=True))
    assert facts.debtor_flags("dispute;cease;unknown", points, consent=True) == {
        "dispute_open": True, "cease_communication": True, "opt_outs": ["a"], "third_party_do_not_contact": ["b"],
        "lost_contact": True, "tcpa_consent": True}
    assert facts.debtor_flags(["installment_plan"]) == {"installment_plan_active": True}  # the planner's


def test_an_inbound_conversation_in_the_ledger_is_read_as_inbound_and_leaves_the_conversation_cap_alone() -> None:
    uow = _uow()
    inbound = Attempt("IN1", "A1", "C1", None, None, "call", "debtor", MORNING, None, None, False, "collection",
                      "conversation", "debtor", MORNING, Logged("K1", "u-wang", direction="inbound"))
    uow.ledger.add(inbound)
    assert [c.direction for c in uow.ledger.history("C1", MORNING - timedelta(days=1), MORNING, None)] == ["inbound"]
    with uow:
        for hour in (1, 2, 3):  # three conversations of ours still fit CN-FREQ-01
            at = MORNING + timedelta(hours=hour)
            attempt_id = _reserve(uow, f"T{hour}", at)
            assert attempt_id is not None
            assert gate.record_outcome(uow, JUDGE, RecordOutcome(attempt_id, "conversation", at)).allowed
        fourth = gate.reserve(uow, JUDGE, ReserveAttempt(_call(MORNING + timedelta(hours=4)), "T4"))
        assert not fourth.allowed and "CN-FREQ-01" in fourth.rules
