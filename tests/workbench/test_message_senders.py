"""The sender on the account page's messages (the review of issue 14, defect 1 of issue 16): an
in-house account's SMS is signed by the institution; an agency's account names the agency and
the bank only when the agency's own user works it (an in-house user looking at it would send as
the institution); only the holder's own collector's staff number is ever in the text. Rendered
through the stored templates."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import account_of_agency, bearer

from arrears.adapters.storage import tables as t
from arrears.services.workbench.context import Workbench


def _agent(wb: Workbench, username: str) -> str:
    from arrears.adapters.storage.workbench_tables import users

    with wb.engine.connect() as connection:
        return connection.execute(select(users.c.agent_id).where(users.c.username == username)).scalar_one()


def _agency_name(wb: Workbench, agency_id: str) -> str:
    with wb.engine.connect() as connection:
        return connection.execute(select(t.agencies.c.name).where(t.agencies.c.agency_id == agency_id)).scalar_one()


def _previews(client: TestClient, username: str, account_id: str) -> list[dict]:  # type: ignore[type-arg]
    reply = client.get(f"/v1/accounts/{account_id}/messages", headers=bearer(client, username))
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_an_in_house_account_is_signed_by_the_institution_with_the_collectors_own_number(
        client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    for preview in _previews(client, "collector", account_id):
        if preview["language"] != "zh":
            continue
        assert preview["text"].startswith(f"【{wb.institution_name}】"), preview["text"]
        assert f"工号{_agent(wb, 'collector')}" in preview["text"]
        assert preview["template"].startswith(f"{preview['template_id']}/sms/")
        for agency in ("AG01", "AG02"):
            assert _agency_name(wb, agency) not in preview["text"]


def test_an_agency_account_names_the_agency_and_the_bank_and_the_agency_collectors_number(
        client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, "AG01")
    agency = _agency_name(wb, "AG01")
    for preview in _previews(client, "agency1", account_id):
        assert agency in preview["text"] and wb.institution_name in preview["text"]
        assert _agent(wb, "agency1") in preview["text"]


def test_an_in_house_user_looking_at_an_agency_account_signs_as_the_institution_without_a_staff_number(
        client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, "AG01")
    for username in ("lead", "collector"):
        for preview in _previews(client, username, account_id):
            assert _agent(wb, username) not in preview["text"]
            assert "工号" not in preview["text"] and "collector ID" not in preview["text"]
            assert _agency_name(wb, "AG01") not in preview["text"]
            assert wb.institution_name in preview["text"] or preview["language"] == "en", preview["text"]


def test_another_agencys_user_never_names_the_agency_that_holds_the_account(
        client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, "AG01")
    reply = client.get(f"/v1/accounts/{account_id}/messages", headers=bearer(client, "agency2"))
    assert reply.status_code == 404  # outside agency2's scope: not even seen
