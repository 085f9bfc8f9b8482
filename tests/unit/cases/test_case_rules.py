"""The pure case rules: due dates per kind and jurisdiction, the status table, the owner rule,
files judged by their content, work order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arrears.domain.cases import (
    DEADLINES,
    MAX_FILE_BYTES,
    TRANSITIONS,
    Candidate,
    CaseError,
    CaseKind,
    CaseStatus,
    FileKind,
    NewCase,
    RaisedBy,
    Upload,
    assign,
    check_files,
    choose_owner,
    due_date,
    move,
    open_case,
    sniff,
    work_order,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _case(kind: CaseKind = CaseKind.DISPUTE, jurisdiction: str = "CN", raised_on: date = date(2026, 12, 1)):
    new = NewCase("CS-1", "A1", kind, "  the amount is wrong  ", RaisedBy.CUSTOMER, None, jurisdiction)
    return open_case(new, owner_user_id="u1", raised_on=raised_on, now=NOW)


@pytest.mark.parametrize(("kind", "jurisdiction", "days", "rule"), [
    (CaseKind.DISPUTE, "CN", 15, "CASE-DUE-CN-DISPUTE"),
    (CaseKind.DISPUTE, "US;US-MA", 30, "CASE-DUE-US-DISPUTE"),
    (CaseKind.DISPUTE, "UK", 56, "CASE-DUE-UK-DISPUTE"),
    (CaseKind.COMPLAINT, "CN", 15, "CASE-DUE-CN-COMPLAINT"),
    (CaseKind.COMPLAINT, "UK", 56, "CASE-DUE-UK-COMPLAINT"),
    (CaseKind.HARDSHIP, "UK", 14, "CASE-DUE-UK-HARDSHIP"),
    (CaseKind.HARDSHIP, "US", 30, "CASE-DUE-US-HARDSHIP"),
    (CaseKind.HARDSHIP, None, 15, "CASE-DUE-CN-HARDSHIP"),
])
def test_a_case_is_due_by_its_kinds_rule_in_its_jurisdiction(kind, jurisdiction, days, rule):
    deadline = due_date(kind, jurisdiction, date(2026, 12, 1))
    assert deadline.due_on == date(2026, 12, 1) + timedelta(days=days)
    assert deadline.reason.rule_id == rule
    assert deadline.reason.citation


def test_with_several_jurisdictions_the_earliest_due_date_applies():
    assert due_date(CaseKind.DISPUTE, "CN;US", date(2026, 12, 1)).reason.rule_id == "CASE-DUE-CN-DISPUTE"
    assert due_date(CaseKind.DISPUTE, "UK;US", date(2026, 12, 1)).due_on == date(2026, 12, 31)


def test_every_kind_has_a_deadline_with_a_citation_in_every_jurisdiction():
    for kind in CaseKind:
        for code in ("CN", "US", "UK"):
            assert DEADLINES[(kind, code)].reason.citation


def test_a_new_case_is_open_trimmed_and_due_by_its_rule():
    case = _case()
    assert (case.status, case.text, case.due_on, case.due_rule) == (
        CaseStatus.OPEN, "the amount is wrong", date(2026, 12, 16), "CASE-DUE-CN-DISPUTE")
    assert case.holds_collection


def test_a_case_without_text_is_refused_naming_the_field():
    with pytest.raises(CaseError) as refused:
        open_case(NewCase("CS-1", "A1", CaseKind.DISPUTE, "   ", RaisedBy.STAFF, "u1", "CN"),
                  owner_user_id=None, raised_on=date(2026, 12, 1), now=NOW)
    assert refused.value.field == "text"


def test_a_case_goes_open_to_in_progress_to_resolved_and_then_stays_closed():
    case = move(_case(), CaseStatus.IN_PROGRESS, now=NOW)
    assert case.holds_collection
    closed = move(case, CaseStatus.RESOLVED, now=NOW + timedelta(hours=1), resolution="verified; statement sent")
    assert (closed.status, closed.closed_at, closed.resolution) == (
        CaseStatus.RESOLVED, NOW + timedelta(hours=1), "verified; statement sent")
    assert not closed.holds_collection
    with pytest.raises(CaseError) as refused:
        move(closed, CaseStatus.IN_PROGRESS, now=NOW)
    assert refused.value.reason.rule_id == "CASE-STATUS-01"


def test_closing_a_case_needs_the_answer_given():
    with pytest.raises(CaseError) as refused:
        move(_case(), CaseStatus.REJECTED, now=NOW)
    assert refused.value.field == "resolution"


def test_the_final_statuses_lead_nowhere():
    assert TRANSITIONS[CaseStatus.RESOLVED] == TRANSITIONS[CaseStatus.REJECTED] == frozenset()
    assert CaseStatus.OPEN not in TRANSITIONS[CaseStatus.IN_PROGRESS]


def test_a_closed_case_cannot_be_assigned():
    closed = move(_case(), CaseStatus.RESOLVED, now=NOW, resolution="done")
    with pytest.raises(CaseError):
        assign(closed, "u2", now=NOW)


def test_hardship_and_complaints_do_not_hold_collection():
    assert not _case(CaseKind.HARDSHIP).holds_collection
    assert not _case(CaseKind.COMPLAINT).holds_collection


def test_the_owner_is_the_accounts_collector_else_a_team_lead_of_its_agency_else_in_house():
    collector = Candidate("c1", "carol", "collector", None)
    staff = [Candidate("t9", "zed", "team_lead", None), Candidate("t2", "amy", "team_lead", "AG1"),
             Candidate("t1", "bob", "team_lead", None), Candidate("k1", "kim", "compliance_officer", None)]
    assert choose_owner(collector, staff, None) == "c1"
    assert choose_owner(None, staff, "AG1") == "t2"
    assert choose_owner(None, staff, None) == "t1"
    assert choose_owner(None, staff, "AG2") == "t1"
    assert choose_owner(None, [staff[3]], None) == "k1"
    assert choose_owner(None, [], None) is None


@pytest.mark.parametrize(("content", "kind"), [(PDF, FileKind.PDF), (JPEG, FileKind.JPEG), (PNG, FileKind.PNG),
                                              (b"GIF89a", None), (b"PK\x03\x04", None), (b"<html>", None)])
def test_a_file_is_known_by_its_first_bytes(content, kind):
    assert sniff(content) is kind


def test_a_file_named_pdf_that_is_not_one_is_refused_naming_which_file():
    with pytest.raises(CaseError) as refused:
        check_files([Upload("ok.png", PNG), Upload("payslip.pdf", b"MZ\x90\x00 an executable")])
    assert (refused.value.field, refused.value.reason.rule_id) == ("files[1]", "CASE-FILE-03")


def test_a_png_named_pdf_is_kept_as_a_png():
    (checked,) = check_files([Upload("scan.pdf", PNG)])
    assert (checked.kind, checked.media_type) == (FileKind.PNG, "image/png")


def test_at_most_three_files_of_at_most_5_mb_each_and_none_empty():
    with pytest.raises(CaseError) as too_many:
        check_files([Upload("a.pdf", PDF)] * 4)
    assert too_many.value.reason.rule_id == "CASE-FILE-01"
    assert len(check_files([Upload("a.pdf", PDF + b"\0" * (MAX_FILE_BYTES - len(PDF)))])) == 1
    with pytest.raises(CaseError) as too_big:
        check_files([Upload("a.pdf", PDF + b"\0" * (MAX_FILE_BYTES - len(PDF) + 1))])
    assert too_big.value.reason.rule_id == "CASE-FILE-02"
    with pytest.raises(CaseError):
        check_files([Upload("a.pdf", b"")])


def test_work_order_puts_overdue_live_cases_first_and_closed_ones_last():
    old = _case(raised_on=date(2026, 11, 1))  # due 11-16
    new = _case(raised_on=date(2026, 11, 30))  # due 12-15
    newer = _case(raised_on=date(2026, 12, 1))  # due 12-16
    closed = move(_case(raised_on=date(2026, 10, 1)), CaseStatus.RESOLVED, now=NOW, resolution="done")
    today = date(2026, 12, 2)
    assert old.overdue(today) and not new.overdue(today) and not closed.overdue(today)
    assert work_order([closed, newer, new, old], today) == [old, new, newer, closed]
