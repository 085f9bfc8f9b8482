"""The compliance and auditor view of the audit trail: access (reveals, logins), arrangements
and compliance gate decisions in one list, with filters."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from workbench_support import PASSWORD, SHANGHAI, account_of_agency, bearer

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.approvals import Authority
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.workbench.context import Workbench


def _activity(client: TestClient, engine: Engine, account_id: str) -> None:
    reveal = client.post(f"/v1/accounts/{account_id}/reveal", json={"field": "name", "purpose": "核实身份"},
                         headers=bearer(client, "collector"))
    assert reveal.status_code == 200
    agree_plan(SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine),
               AgreePlan("PL-AUD", account_id, 6, date(2026, 12, 15)), maker="collector",
               approver=Signer("collector", Authority.COLLECTOR), now=datetime(2026, 11, 29, 9, 30, tzinfo=SHANGHAI))
    with engine.begin() as connection:
        connection.execute(insert(compliance_decisions).values(
            decided_for=datetime(2026, 11, 29, 1, 45, tzinfo=UTC), mode="preview", request_digest="d" * 64,
            account_id=account_id, customer_id="C", channel="call", agent_id="AG-X", pack_versions="{}",
            decision="deny", rules=json.dumps(["CN-TIME-01"]), reasons=json.dumps(["22:00 后不得拨打"]),
            warnings="[]"))


def test_the_trail_shows_access_arrangement_and_gate_entries_together_newest_first(
    client: TestClient, wb: Workbench
) -> None:
    account_id = account_of_agency(wb.engine, None)
    _activity(client, wb.engine, account_id)
    rows = client.get("/v1/audit/trail", params={"account_id": account_id},
                      headers=bearer(client, "auditor")).json()
    by_source = {r["source"]: r for r in rows}
    assert set(by_source) == {"access", "arrangements", "gate"}
    assert by_source["access"]["kind"] == "reveal" and by_source["access"]["purpose"] == "核实身份"
    assert any(r["kind"] == "plan.agreed" and r["subject"] == "plan:PL-AUD" for r in rows)
    assert by_source["gate"]["outcome"] == "deny" and by_source["gate"]["rules"] == ["CN-TIME-01"]
    times = [r["at"] for r in rows]
    assert times == sorted(times, reverse=True)


def test_the_trail_filters_by_source_kind_and_who(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    _activity(client, wb.engine, account_id)
    auditor = bearer(client, "auditor")
    gate = client.get("/v1/audit/trail", params={"source": "gate"}, headers=auditor).json()
    assert gate and {r["source"] for r in gate} == {"gate"}
    plans = client.get("/v1/audit/trail", params={"kind": "plan."}, headers=auditor).json()
    assert plans and all(r["kind"].startswith("plan.") for r in plans)
    mine = client.get("/v1/audit/trail", params={"who": "collector", "source": "access"}, headers=auditor).json()
    assert mine and all(r["who"] == "collector" for r in mine)
    assert client.get("/v1/audit/trail", params={"source": "elsewhere"}, headers=auditor).status_code == 422


def test_a_collector_cannot_read_the_trail(client: TestClient) -> None:
    assert client.get("/v1/audit/trail", headers=bearer(client, "collector")).status_code == 403


def test_the_compliance_page_lists_every_source_and_filters_by_source(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    _activity(client, wb.engine, account_id)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "compliance", "password": PASSWORD, "csrf_token": token})
    html = client.get("/compliance", params={"account_id": account_id}).text
    assert {'data-source="access"', 'data-source="arrangements"', 'data-source="gate"'} <= set(
        re.findall(r'data-source="\w+"', html))
    assert "合规闸门" in html and "还款安排" in html
    only_gate = client.get("/compliance", params={"source": "gate"}).text
    assert set(re.findall(r'data-source="\w+"', only_gate)) == {'data-source="gate"'}
