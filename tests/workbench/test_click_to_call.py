"""Click to call: a phone number revealed on the account page (audited, with a purpose) is a
``tel:`` link; masked numbers, e-mail addresses and postal addresses are not."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import PASSWORD

from arrears.adapters.storage import tables as t
from arrears.entrypoints.web.pages import tel_uri
from arrears.services.workbench.context import Workbench


def _login(client: TestClient) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": token},
                follow_redirects=False)
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)


def _point(wb: Workbench, kind: str) -> tuple[str, str, str]:
    a, p = t.accounts.c, t.contact_points.c
    with wb.engine.connect() as connection:
        row = connection.execute(select(a.account_id, p.contact_point_id, p.value_enc)
                                 .join(t.contact_points, p.customer_id == a.customer_id)
                                 .where(p.kind == kind, (a.agency_id.is_(None) | (a.agency_id == "")),
                                        p.in_portfolio.is_(True)).order_by(a.account_id).limit(1)).one()
    return row.account_id, row.contact_point_id, wb.cipher.decrypt(row.value_enc)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_revealed_mobile_number_is_a_tel_link(client: TestClient, wb: Workbench, htmx: bool) -> None:
    csrf = _login(client)
    account_id, point, number = _point(wb, "mobile")
    headers = {"HX-Request": "true"} if htmx else {}
    reply = client.post(f"/accounts/{account_id}/reveal", headers=headers, data={
        "field": "contact_point", "contact_point_id": point, "purpose": "致电债务人", "csrf_token": csrf})
    assert reply.status_code == 200, reply.text
    assert f'href="{tel_uri(number)}"' in reply.text and tel_uri(number).startswith("tel:")


def test_a_masked_page_has_no_tel_link(client: TestClient, wb: Workbench) -> None:
    _login(client)
    account_id, _, _ = _point(wb, "mobile")
    assert 'href="tel:' not in client.get(f"/accounts/{account_id}").text


def test_only_phone_numbers_make_tel_links() -> None:
    assert tel_uri("+86 138-0013-8000") == "tel:+8613800138000"
    assert tel_uri("(010) 6552 1234") == "tel:01065521234"
    assert tel_uri("someone@example.com") == ""
    assert tel_uri("上海市浦东新区1号") == ""
    assert tel_uri("138****8000") == ""
