"""Placements through the pages: a team lead places accounts with an agency by hand and recalls
them (the agency loses access at once), runs the allocation rules; a reason is required; an
agency's lead may not allocate."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import PASSWORD, account_of_agency, bearer

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.allocation_tables import placements
from arrears.services.workbench.context import Workbench


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/placements").text).group(1)


def _in_house_delinquent(wb: Workbench) -> str:
    a = t.accounts.c
    with wb.engine.connect() as c:
        return c.execute(select(a.account_id).where(a.agency_id.is_(None), a.past_due_cents > 0)
                         .order_by(a.account_id)).scalars().first()


def test_a_lead_places_an_account_with_an_agency_and_a_recall_takes_the_agencys_access_at_once(
        client: TestClient, wb: Workbench) -> None:
    account_id = _in_house_delinquent(wb)
    agency_api = bearer(client, "agency1")
    assert client.get(f"/v1/accounts/{account_id}", headers=agency_api).status_code == 404
    csrf = _login(client, "lead")
    placed = client.post("/placements", data={"csrf_token": csrf, "action": "move:AG01", "reason": "大额委外",
                                              "account_ids": [account_id]}, follow_redirects=False)
    assert placed.status_code == 303 and placed.headers["location"] == "/placements?done=placed:1"
    assert client.get(f"/v1/accounts/{account_id}", headers=agency_api).status_code == 200
    recalled = client.post("/placements", data={"csrf_token": csrf, "action": "recall", "reason": "客户投诉",
                                                "account_ids": [account_id]}, follow_redirects=False)
    assert recalled.status_code == 303
    assert client.get(f"/v1/accounts/{account_id}", headers=agency_api).status_code == 404
    with wb.engine.connect() as c:
        history = c.execute(select(placements.c.status, placements.c.recall_note, placements.c.placed_by)
                            .where(placements.c.account_id == account_id)).all()
    assert history == [("recalled", "客户投诉", "user:lead")]


def test_an_action_needs_a_reason_and_accounts(client: TestClient, wb: Workbench) -> None:
    csrf = _login(client, "lead")
    no_reason = client.post("/placements?lang=en", data={"csrf_token": csrf, "action": "move:AG01", "reason": "",
                                                         "account_ids": [_in_house_delinquent(wb)]})
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.text
    nothing = client.post("/placements?lang=en", data={"csrf_token": csrf, "action": "recall", "reason": "x"})
    assert nothing.status_code == 422 and "choose the accounts first" in nothing.text


def test_the_rules_run_on_demand_from_the_page(client: TestClient, wb: Workbench) -> None:
    csrf = _login(client, "lead")
    reply = client.post("/placements", data={"csrf_token": csrf, "action": "allocate"}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/placements?done=allocated:")
    page = client.get(reply.headers["location"] + "&lang=en")
    assert "Allocation ran:" in page.text
    assert account_of_agency(wb.engine, "AG01")


def test_an_agencys_lead_may_not_allocate(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "agency1_lead", "password": PASSWORD, "csrf_token": token})
    assert client.get("/placements").status_code == 403
