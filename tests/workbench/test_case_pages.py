"""The cases on the workbench pages: the account's open cases with owner and due date, the team's
list (overdue first) in Chinese and English, taking and closing a case, downloading a file."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from workbench_support import PASSWORD, account_of_agency

from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.bootstrap import cases_uow
from arrears.domain.cases import Upload
from arrears.services.cases import Actor, AskHardshipHelp, RaiseDispute, ask_hardship_help, raise_dispute
from arrears.services.workbench.context import Workbench

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get(reply.headers["location"]).text).group(1)


def _cases(wb: Workbench) -> tuple[str, str, str]:
    account = account_of_agency(wb.engine, None)
    customer = Actor.customer(account)
    late = raise_dispute(cases_uow(wb.engine, wb.cipher), RaiseDispute(account, "这笔消费不是我刷的"),
                         actor=customer, now=wb.now() - timedelta(days=20))
    help_ = ask_hardship_help(cases_uow(wb.engine, wb.cipher), AskHardshipHelp(
        account, "住院两个月，收入中断", (Upload("bill.png", PNG),)), actor=customer, now=wb.now())
    return account, late.case_id, help_.case_id


def test_the_account_page_shows_its_open_cases_with_owner_and_due_date(client: TestClient, wb: Workbench):
    account, late, _ = _cases(wb)
    _login(client, "collector")
    page = client.get(f"/accounts/{account}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="cases"'):]
    assert "异议" in section and "困难帮扶申请" in section and "停催中" in section
    assert "lead" in section and "2026-11-24" in section  # the team lead owns it; raised 11-09 + 15 days
    assert f'id="case-{late}" class="overdue"' in section


def test_the_team_lead_sees_the_list_overdue_first_and_in_english_on_request(client: TestClient, wb: Workbench):
    _, late, fresh = _cases(wb)
    _login(client, "lead")
    page = client.get("/cases")
    assert page.status_code == 200 and 'id="nav-cases"' in page.text
    assert page.text.index(f'id="case-{late}"') < page.text.index(f'id="case-{fresh}"')
    assert "已超过答复期限" in page.text
    english = client.get("/cases?lang=en")
    assert "Past the due date" in english.text and "Hardship request" in english.text


def test_a_strategy_manager_cannot_open_the_cases_page(client: TestClient, wb: Workbench):
    _cases(wb)
    _login(client, "strategist")
    assert client.get("/cases").status_code == 403


def test_a_case_is_taken_and_closed_from_the_page_with_the_form_token(client: TestClient, wb: Workbench):
    _, late, _ = _cases(wb)
    csrf = _login(client, "lead")
    assert client.post(f"/cases/{late}/take", data={"csrf_token": "forged"}).status_code == 403
    taken = client.post(f"/cases/{late}/take", data={"csrf_token": csrf}, follow_redirects=False)
    assert taken.status_code == 303
    closed = client.post(f"/cases/{late}/resolve", data={"csrf_token": csrf, "outcome": "resolved",
                                                          "resolution": "已核实并退款"}, follow_redirects=False)
    assert closed.status_code == 303
    assert f'id="case-{late}"' not in client.get("/cases").text
    assert f'id="case-{late}"' in client.get("/cases?closed=1").text


def test_a_hardship_file_downloads_from_the_page_for_a_team_lead_audited(client: TestClient, wb: Workbench):
    _, _, fresh = _cases(wb)
    _login(client, "lead")
    page = client.get("/cases").text
    link = re.search(rf'href="(/cases/{fresh}/files/[^"]+)"', page).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    with wb.engine.connect() as connection:
        reads = read_audit(connection, subject=f"case:{fresh}", action="case.file_read")
    assert [e.actor for e in reads] == ["lead"]
