"""The audit trail page: one entry per page view's previews, pages that neither miss nor repeat an
entry (even many at one instant), arrangement entries with their account, kinds chosen by their
names, and a CSV export that Excel opens (BOM, formulas neutralised)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from workbench_support import PASSWORD, SHANGHAI, account_of_agency

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.domain.arrangements.approvals import Authority
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.workbench.context import Workbench

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _login(client: TestClient, username: str = "auditor") -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303


def _logins(engine: Engine, times: list[datetime], who: str = "somebody") -> None:
    with engine.begin() as c:
        for at in times:
            c.execute(insert(access_audit).values(at=at, kind="login", outcome="ok", username=who, detail="{}"))


def _preview(engine: Engine, account_id: str, at: datetime, channel: str, decision: str) -> None:
    with engine.begin() as c:
        c.execute(insert(compliance_decisions).values(
            decided_for=at, mode="preview", request_digest="d" * 64, account_id=account_id, customer_id="C",
            channel=channel, agent_id="AG-X", pack_versions="{}", decision=decision,
            rules=json.dumps(["CN-TIME-01"] if decision == "deny" else []), reasons="[]", warnings="[]"))


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="audit-row" data-source="[^"]+"><td>([^<]+)</td>', page)


def test_a_page_views_previews_are_one_entry(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    for channel, decision in (("call", "deny"), ("sms", "allow"), ("email", "allow")):
        _preview(wb.engine, account_id, T0, channel, decision)
    _login(client)
    page = client.get(f"/audit?source=gate&account_id={account_id}&lang=en")
    assert page.status_code == 200
    assert len(_rows(page.text)) == 1
    assert "some allowed, some blocked" in page.text and "CN-TIME-01" in page.text


def test_pages_neither_miss_nor_repeat_an_entry_even_many_at_one_instant(client: TestClient, wb: Workbench) -> None:
    times = [T0 - timedelta(minutes=i) for i in range(150)] + [T0 - timedelta(minutes=95)] * 30
    _logins(wb.engine, times, who="pager")
    _login(client)
    seen: list[str] = []
    url = "/audit?who=pager"
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += _rows(page.text)
        older = re.search(r'id="audit-older" href="([^"]+)"|href="([^"]+)" id="audit-older"', page.text)
        url = (older.group(1) or older.group(2)).replace("&amp;", "&") if older else ""
        pages += 1
    assert pages >= 2
    assert len(seen) == 180


def test_an_arrangement_entry_carries_its_account(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    agree_plan(SqlArrangementsUnitOfWork(wb.engine), SqlPortfolioReader(wb.engine),
               AgreePlan("PL-PAGE", account_id, 6, date(2026, 12, 15)), maker="collector",
               approver=Signer("collector", Authority.COLLECTOR), now=datetime(2026, 11, 29, 9, 30, tzinfo=SHANGHAI))
    _login(client)
    page = client.get(f"/audit?source=arrangements&account_id={account_id}")
    assert "plan:PL-PAGE" in page.text and f'href="/accounts/{account_id}"' in page.text


def test_kinds_are_chosen_by_their_names(client: TestClient) -> None:
    _login(client)
    zh = client.get("/audit").text
    assert re.search(r'<option value="login"\s*>登录</option>', zh)
    en = client.get("/audit?lang=en").text
    assert re.search(r'<option value="reveal"\s*>[^<]*[Rr]eveal[^<]*</option>', en)


def test_the_export_opens_in_excel_with_formulas_neutralised(client: TestClient, wb: Workbench) -> None:
    _logins(wb.engine, [T0, T0 - timedelta(seconds=1)], who="=HYPERLINK(\"http://x\")")
    _login(client)
    reply = client.get("/audit/export.csv?kind=login")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert {r["kind"] for r in rows} == {"login"}
    assert any(r["who"] == "'=HYPERLINK(\"http://x\")" for r in rows)


def test_a_collector_may_not_read_the_audit_trail(client: TestClient) -> None:
    _login(client, "collector")
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_an_instant_with_more_entries_than_a_page_is_shown_whole(client: TestClient, wb: Workbench) -> None:
    _logins(wb.engine, [T0] * 120 + [T0 - timedelta(hours=1)] * 3, who="burst")
    _login(client)
    first = client.get("/audit?who=burst")
    assert len(_rows(first.text)) == 120
    older = re.search(r'href="([^"]+)" id="audit-older"', first.text).group(1).replace("&amp;", "&")
    assert len(_rows(client.get(older).text)) == 3
