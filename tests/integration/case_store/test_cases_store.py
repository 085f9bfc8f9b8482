"""Cases on real SQLite and PostgreSQL: raised, owned, worked and closed, audited with the actor;
texts and files encrypted at rest; an open dispute holds the account at the stored gate."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.adapters.storage.cases_tables import case_files, cases
from arrears.adapters.storage.workbench_tables import work_items
from arrears.bootstrap import cases_uow
from arrears.domain.access import Role
from arrears.domain.cases import CaseStatus, Upload
from arrears.services.cases import (
    Actor,
    AskHardshipHelp,
    RaiseDispute,
    ResolveCase,
    ask_hardship_help,
    case_view,
    list_cases,
    raise_dispute,
    read_case_file,
    resolve_case,
    take_case,
)
from arrears.services.cases.ports import CaseQuery
from arrears.services.contact_gate import SqlContactGate
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.workbench.errors import Forbidden, InvalidInput, NotFound

from .conftest import NOW

PDF = b"%PDF-1.7\n" + b"payslip of the customer: monthly income 4321.00\n" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"hospital bill" * 40
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _user(ids: dict[str, str], name: str, role: Role) -> Actor:
    return Actor.user(ids[name], name, role)


def _call(ids: dict[str, str], at: datetime) -> ContactRequest:
    return ContactRequest(account_id=ids["account"], channel="call", contact_point_id=ids["point"], at=at,
                          agent_id="G001")


def test_a_dispute_raised_by_the_customer_is_owned_by_a_team_lead_due_by_its_rule_and_audited(loaded, cipher):
    engine, ids = loaded
    case = raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["account"], "这笔年费我没有同意过"),
                         actor=Actor.customer(ids["account"]), now=NOW)
    assert (case.status, case.owner_user_id, case.due_rule) == (CaseStatus.OPEN, ids["lead"], "CASE-DUE-CN-DISPUTE")
    assert case.due_on == date(2026, 11, 30) + timedelta(days=15)
    with engine.connect() as connection:
        stored = connection.execute(select(cases.c.text_enc)).scalar_one()
        (entry,) = read_audit(connection, subject=f"case:{case.case_id}")
    assert "年费".encode() not in stored and cipher.decrypt(stored) == "这笔年费我没有同意过"
    assert (entry.actor, entry.action, entry.detail["actor_kind"]) == (
        f"customer:{ids['account']}", "case.dispute.raised", "customer")


def test_the_customer_may_raise_a_case_only_on_their_own_account(loaded, cipher):
    engine, ids = loaded
    with pytest.raises(NotFound):
        raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["other"], "not mine"),
                      actor=Actor.customer(ids["account"]), now=NOW)


def test_the_accounts_collector_owns_the_case_when_one_held_the_account(loaded, cipher):
    engine, ids = loaded
    with engine.begin() as connection:
        connection.execute(insert(work_items).values(queue_date=date(2026, 11, 30), account_id=ids["account"],
                                                     priority=1, reason="x", status="assigned",
                                                     assigned_to=ids["collector"], assigned_at=NOW))
    case = raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["account"], "wrong amount"),
                         actor=_user(ids, "lead", Role.TEAM_LEAD), now=NOW)
    assert case.owner_user_id == ids["collector"]


def test_an_open_dispute_blocks_collection_calls_at_the_stored_gate_and_resolving_it_lifts_the_hold(loaded, cipher):
    engine, ids = loaded
    gate, ten = SqlContactGate(engine), datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    assert gate.preview(_call(ids, ten)).allowed
    case = raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["account"], "I never had this card"),
                         actor=Actor.customer(ids["account"]), now=NOW)
    held = gate.reserve(_call(ids, ten))
    assert held.decision == "deny" and "CN-DISP-02" in held.rules and held.attempt_id is None
    lead = _user(ids, "lead", Role.TEAM_LEAD)
    resolve_case(cases_uow(engine, cipher), ResolveCase(case.case_id, CaseStatus.RESOLVED,
                                                        "card application and statements sent"), actor=lead, now=NOW)
    assert gate.reserve(_call(ids, ten)).allowed
    with engine.connect() as connection:
        closed = read_audit(connection, subject=f"case:{case.case_id}", action="case.resolved")
    assert closed[0].detail["hold_lifted"] is True and closed[0].actor == "lead"


def test_hardship_files_are_stored_encrypted_and_read_back_only_by_a_permitted_user_audited(loaded, cipher):
    engine, ids = loaded
    case = ask_hardship_help(cases_uow(engine, cipher), AskHardshipHelp(
        ids["account"], "失业三个月，申请减免", (Upload("payslip.pdf", PDF), Upload("bill.png", PNG))),
        actor=Actor.customer(ids["account"]), now=NOW)
    with engine.connect() as connection:
        rows = connection.execute(select(case_files.c.content_enc, case_files.c.name_enc)).all()
    assert len(rows) == 2
    for content_enc, name_enc in rows:
        assert b"payslip" not in content_enc and b"hospital" not in content_enc and b"%PDF" not in content_enc
        assert b"payslip" not in name_enc and content_enc not in (PDF, PNG)
    view = case_view(cases_uow(engine, cipher), case.case_id, actor=_user(ids, "auditor", Role.AUDITOR))
    assert [(f.kind, f.size_bytes) for f in view.files] == [("pdf", len(PDF)), ("png", len(PNG))]
    _stored, name, content = read_case_file(cases_uow(engine, cipher), case.case_id, view.files[0].file_id,
                                           actor=_user(ids, "compliance", Role.COMPLIANCE_OFFICER), now=NOW)
    assert (name, content) == ("payslip.pdf", PDF)
    with pytest.raises(Forbidden):
        read_case_file(cases_uow(engine, cipher), case.case_id, view.files[0].file_id,
                       actor=_user(ids, "collector", Role.COLLECTOR), now=NOW)
    with engine.connect() as connection:
        actions = [(e.actor, e.action) for e in read_audit(connection, subject=f"case:{case.case_id}")]
    assert actions[1:] == [("compliance", "case.file_read"), ("collector", "case.file_refused")]


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_stored(loaded, cipher):
    engine, ids = loaded
    with pytest.raises(InvalidInput) as refused:
        ask_hardship_help(cases_uow(engine, cipher), AskHardshipHelp(
            ids["account"], "help", (Upload("ok.pdf", PDF), Upload("x.pdf", b"<script>alert(1)</script>"))),
            actor=Actor.customer(ids["account"]), now=NOW)
    assert refused.value.field == "files[1]"
    with engine.connect() as connection:
        assert connection.execute(select(cases.c.case_id)).all() == []


def test_a_collector_takes_an_unowned_case_and_closes_it_but_not_someone_elses(loaded, cipher):
    engine, ids = loaded
    case = raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["account"], "double charge"),
                         actor=Actor.customer(ids["account"]), now=NOW)
    collector = _user(ids, "collector", Role.COLLECTOR)
    with pytest.raises(Forbidden):  # the team lead owns it
        take_case(cases_uow(engine, cipher), case.case_id, actor=collector, now=NOW)
    taken = take_case(cases_uow(engine, cipher), case.case_id, actor=_user(ids, "lead", Role.TEAM_LEAD), now=NOW)
    assert (taken.status, taken.owner_user_id) == (CaseStatus.IN_PROGRESS, ids["lead"])
    with pytest.raises(Forbidden):
        resolve_case(cases_uow(engine, cipher), ResolveCase(case.case_id, CaseStatus.REJECTED, "no"),
                     actor=collector, now=NOW)
    with pytest.raises(Forbidden):
        take_case(cases_uow(engine, cipher), case.case_id, actor=_user(ids, "auditor", Role.AUDITOR), now=NOW)


def test_the_list_puts_overdue_cases_first(loaded, cipher):
    engine, ids = loaded
    customer = Actor.customer(ids["account"])
    late = raise_dispute(cases_uow(engine, cipher), RaiseDispute(ids["account"], "old"), actor=customer,
                         now=NOW - timedelta(days=40))
    fresh = ask_hardship_help(cases_uow(engine, cipher), AskHardshipHelp(ids["account"], "new"), actor=customer,
                              now=NOW)
    lead = _user(ids, "lead", Role.TEAM_LEAD)
    listed = list_cases(cases_uow(engine, cipher), CaseQuery(today=date(2026, 11, 30), live=True), actor=lead)
    assert [c.case_id for c in listed] == [late.case_id, fresh.case_id]
    overdue = list_cases(cases_uow(engine, cipher), CaseQuery(today=date(2026, 11, 30), overdue=True), actor=lead)
    assert [c.case_id for c in overdue] == [late.case_id]
