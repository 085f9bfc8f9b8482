"""/v1/accounts: list, 360° view, reveal with purpose (audited), compliance status, agency tenancy."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import account_of_agency, bearer

from arrears.adapters.storage import tables as t
from arrears.services.workbench.context import Workbench


def test_the_list_shows_masked_names_and_filters_by_bucket(client: TestClient) -> None:
    rows = client.get("/v1/accounts", params={"bucket": "M1", "limit": 20}, headers=bearer(client, "collector")).json()
    assert rows and all(r["bucket"] == "M1" for r in rows)
    assert all("*" in r["name_masked"] for r in rows)


def test_an_agency_user_lists_only_accounts_placed_with_that_agency(client: TestClient) -> None:
    rows = client.get("/v1/accounts", params={"limit": 500}, headers=bearer(client, "agency1")).json()
    assert rows and {r["agency_id"] for r in rows} == {"AG01"}
    asked_for_other = client.get("/v1/accounts", params={"agency_id": "AG02"}, headers=bearer(client, "agency1"))
    assert asked_for_other.json() == []


def test_an_agency_user_cannot_open_another_agencys_account_by_id(client: TestClient, wb: Workbench) -> None:
    other = account_of_agency(wb.engine, "AG02")
    headers = bearer(client, "agency1")
    assert client.get(f"/v1/accounts/{other}", headers=headers).status_code == 404
    assert client.get(f"/v1/accounts/{other}/compliance", headers=headers).status_code == 404
    reveal = client.post(f"/v1/accounts/{other}/reveal", json={"field": "name", "purpose": "核实身份"},
                         headers=headers)
    assert reveal.status_code == 404
    logged = client.post(f"/v1/accounts/{other}/contacts", json={"channel": "call", "outcome": "no_answer"},
                         headers=headers)
    assert logged.status_code == 404
    own = account_of_agency(wb.engine, "AG01")
    assert client.get(f"/v1/accounts/{own}", headers=headers).status_code == 200


def test_the_account_view_carries_history_and_no_plaintext(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    view = client.get(f"/v1/accounts/{account_id}", headers=bearer(client, "collector")).json()
    assert view["account"]["account_id"] == account_id
    assert view["aging"] and "bucket" in view["aging"][0]
    assert "*" in view["customer"]["name_masked"]
    assert all("value_enc" not in p for p in view["contact_points"])
    assert "name_enc" not in view["account"] and "name_enc" not in view["customer"]


def test_a_reveal_needs_a_purpose_and_is_audited_with_it(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    view = client.get(f"/v1/accounts/{account_id}", headers=headers).json()
    point = view["contact_points"][0]
    no_purpose = client.post(f"/v1/accounts/{account_id}/reveal", json={"field": "contact_point", "purpose": " "},
                             headers=headers)
    assert no_purpose.status_code == 422
    shown = client.post(f"/v1/accounts/{account_id}/reveal", headers=headers, json={
        "field": "contact_point", "contact_point_id": point["contact_point_id"], "purpose": "致电债务人"})
    assert shown.status_code == 200
    with wb.engine.connect() as connection:
        blob = connection.execute(select(t.contact_points.c.value_enc).where(
            t.contact_points.c.contact_point_id == point["contact_point_id"])).scalar_one()
    assert shown.json()["value"] == wb.cipher.decrypt(blob)
    trail = client.get("/v1/audit", params={"kind": "reveal"}, headers=bearer(client, "auditor")).json()
    assert trail[0]["purpose"] == "致电债务人" and trail[0]["account_id"] == account_id


def test_a_reveal_of_a_contact_point_of_another_customer_is_refused(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    with wb.engine.connect() as connection:
        foreign = connection.execute(select(t.contact_points.c.contact_point_id).where(
            t.contact_points.c.customer_id != select(t.accounts.c.customer_id).where(
                t.accounts.c.account_id == account_id).scalar_subquery()).limit(1)).scalar_one()
    reply = client.post(f"/v1/accounts/{account_id}/reveal", headers=bearer(client, "collector"),
                        json={"field": "contact_point", "contact_point_id": foreign, "purpose": "致电债务人"})
    assert reply.status_code == 404


def test_a_strategy_manager_and_an_auditor_cannot_reveal(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    for who in ("strategist", "auditor"):
        reply = client.post(f"/v1/accounts/{account_id}/reveal", json={"field": "name", "purpose": "看看"},
                            headers=bearer(client, who))
        assert reply.status_code == 403


def test_the_compliance_status_says_per_channel_what_may_happen_now(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    status = client.get(f"/v1/accounts/{account_id}/compliance", headers=bearer(client, "collector")).json()
    channels = {s["channel"]: s["verdict"] for s in status}
    assert set(channels) == {"call", "voicemail", "sms", "email", "letter", "visit"}
    assert channels["visit"]["decision"] == "allow"


def test_unknown_accounts_are_404(client: TestClient) -> None:
    assert client.get("/v1/accounts/NOPE", headers=bearer(client, "collector")).status_code == 404
