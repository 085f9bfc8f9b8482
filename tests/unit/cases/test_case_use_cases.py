"""The case use cases on in-memory repositories: who may do what, what is audited, and that a
refusal leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arrears.adapters.memory_cases import MemoryCaseAccounts, MemoryCasesUnitOfWork
from arrears.domain.access import Role
from arrears.domain.cases import AccountFacts, Candidate, CaseQuery, CaseStatus, Upload
from arrears.services.cases import (
    Actor,
    AskHardshipHelp,
    RaiseDispute,
    ResolveCase,
    ask_hardship_help,
    assign_case,
    list_cases,
    raise_dispute,
    resolve_case,
    take_case,
)
from arrears.services.workbench.errors import Forbidden, InvalidInput, NotFound

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LEAD = Candidate("u-lead", "lead", "team_lead", None)
AGENCY_LEAD = Candidate("u-ag", "aglead", "team_lead", "AG1")
COLLECTOR = Candidate("u-col", "col", "collector", None)


@pytest.fixture
def uow() -> MemoryCasesUnitOfWork:
    return MemoryCasesUnitOfWork(MemoryCaseAccounts(
        accounts={"A1": AccountFacts("A1", None, "CN"), "A2": AccountFacts("A2", "AG1", "US")},
        people=[LEAD, AGENCY_LEAD, COLLECTOR]))


def _as(person: Candidate, role: Role) -> Actor:
    return Actor.user(person.user_id, person.username, role, person.agency_id)


def test_a_dispute_on_an_agency_account_goes_to_the_agencys_team_lead_and_is_due_by_the_us_rule(uow):
    case = raise_dispute(uow, RaiseDispute("A2", "not mine"), actor=Actor.customer("A2"), now=NOW)
    assert (case.owner_user_id, case.due_rule, case.due_on) == ("u-ag", "CASE-DUE-US-DISPUTE", date(2026, 12, 31))
    (entry,) = uow.audit.entries
    assert (entry.actor, entry.action, entry.detail["actor_kind"], entry.detail["holds_collection"]) == (
        "customer:A2", "case.dispute.raised", "customer", True)


def test_a_refused_file_leaves_no_case_and_no_audit_entry(uow):
    with pytest.raises(InvalidInput):
        ask_hardship_help(uow, AskHardshipHelp("A1", "help", (Upload("x.pdf", b"GIF89a..."),)),
                          actor=Actor.customer("A1"), now=NOW)
    assert uow.cases.items == {} and uow.audit.entries == []


def test_an_agency_user_cannot_raise_or_see_a_case_on_an_in_house_account(uow):
    agency = _as(AGENCY_LEAD, Role.TEAM_LEAD)
    with pytest.raises(NotFound):
        raise_dispute(uow, RaiseDispute("A1", "x"), actor=agency, now=NOW)
    raise_dispute(uow, RaiseDispute("A1", "x"), actor=Actor.customer("A1"), now=NOW)
    assert list_cases(uow, CaseQuery(date(2026, 12, 1)), actor=agency) == ()


def test_an_auditor_may_list_but_not_raise_take_or_close(uow):
    auditor = Actor.user("u-aud", "aud", Role.AUDITOR)
    case = raise_dispute(uow, RaiseDispute("A1", "x"), actor=Actor.customer("A1"), now=NOW)
    assert len(list_cases(uow, CaseQuery(date(2026, 12, 1)), actor=auditor)) == 1
    with pytest.raises(Forbidden):
        raise_dispute(uow, RaiseDispute("A1", "y"), actor=auditor, now=NOW)
    with pytest.raises(Forbidden):
        take_case(uow, case.case_id, actor=auditor, now=NOW)
    with pytest.raises(Forbidden):
        resolve_case(uow, ResolveCase(case.case_id, CaseStatus.RESOLVED, "x"), actor=auditor, now=NOW)


def test_a_case_assigned_to_a_collector_is_closed_by_that_collector(uow):
    case = raise_dispute(uow, RaiseDispute("A1", "x"), actor=Actor.customer("A1"), now=NOW)
    assign_case(uow, case.case_id, "u-col", actor=_as(LEAD, Role.TEAM_LEAD), now=NOW)
    with pytest.raises(InvalidInput):  # an auditor cannot own a case
        assign_case(uow, case.case_id, "nobody", actor=_as(LEAD, Role.TEAM_LEAD), now=NOW)
    closed = resolve_case(uow, ResolveCase(case.case_id, CaseStatus.REJECTED, "the charge is the customer's"),
                          actor=_as(COLLECTOR, Role.COLLECTOR), now=NOW)
    assert closed.status is CaseStatus.REJECTED and not closed.holds_collection
    assert [e.action for e in uow.audit.entries] == ["case.dispute.raised", "case.assigned", "case.rejected"]
    assert uow.audit.entries[-1].detail["hold_lifted"] is True
