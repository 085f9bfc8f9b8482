"""Search (issue 16): a customer calling in is found by account id, phone in any usual spelling,
ID number or full name through the keyed lookup hashes, or by a phone's last 4 digits; only
within the caller's scope; every search audited without what was typed. On SQLite and
PostgreSQL, through the API and the page."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, FakeGate, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.services.workbench import search
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput


def _customer_with_accounts(small_demo: Path, agency: str | None) -> dict[str, str]:
    """A customer of the demo portfolio whose accounts are all in house (None) or all with ``agency``."""
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    customers = pl.read_csv(small_demo / "customers.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    held = accounts.group_by("customer_id").agg(pl.col("agency_id").drop_nulls().unique().alias("agencies"),
                                                pl.col("account_id").sort().first().alias("account_id"))
    wanted = held.filter(pl.col("agencies").list.len() == 0) if agency is None else held.filter(
        pl.col("agencies").list.len() == 1, pl.col("agencies").list.first() == agency)
    mobiles = points.filter(pl.col("kind") == "mobile", pl.col("owner") == "debtor")
    row = (wanted.join(customers, on="customer_id").join(mobiles, on="customer_id")
           .sort("customer_id").row(0, named=True))
    return {"account_id": row["account_id"], "phone": row["value"], "national_id": row["national_id"],
            "name": row["name"], "customer_id": row["customer_id"]}


def test_a_caller_is_found_by_phone_in_any_spelling_id_number_name_and_account_only_within_scope(
        loaded_db: Engine, small_demo: Path) -> None:
    engine = loaded_db
    wb = Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))
    own, placed = _customer_with_accounts(small_demo, None), _customer_with_accounts(small_demo, "AG01")
    collector, agency1, agency2 = (authenticate(wb, u, PASSWORD) for u in ("collector", "agency1", "agency2"))
    national = own["phone"].removeprefix("+86")
    spaced = f"{national[:3]} {national[3:7]}-{national[7:]}"
    for typed, how in ((own["phone"], "phone"), ("86" + national, "phone"), (spaced, "phone"),
                       (own["national_id"].lower(), "national_id"), (own["name"], "name"),
                       (own["account_id"], "account_id")):
        items = search.search(wb, collector, typed)["items"]
        assert own["account_id"] in [i["account_id"] for i in items], (typed, items)
        assert {i["matched"] for i in items if i["customer_id"] == own["customer_id"]} == {how}
    assert search.search(wb, agency1, own["phone"])["items"] == []  # an in-house customer: not agency1's
    assert [i["account_id"] for i in search.search(wb, agency1, placed["phone"])["items"]]
    assert search.search(wb, agency2, placed["phone"])["items"] == []  # AG01's customer: not AG02's
    last4 = search.search(wb, collector, national[-4:])["items"]
    assert own["account_id"] in [i["account_id"] for i in last4] and len(last4) <= search.MAX_RESULTS
    assert search.search(wb, collector, own["name"][:1] + "某")["items"] == []  # no partial names in clear
    with pytest.raises(InvalidInput):
        search.search(wb, collector, " 1 ")
    with engine.connect() as connection:
        audited = connection.execute(select(access_audit.c.detail, access_audit.c.username)
                                     .where(access_audit.c.kind == "search")).all()
    assert len(audited) == 11  # every search that ran (the refused one read nothing)
    typed_anywhere = [own["phone"], national, own["national_id"], own["name"], placed["phone"]]
    assert not any(value.lower() in row.detail.lower() for row in audited for value in typed_anywhere)


def test_the_search_box_finds_the_caller_and_the_api_answers_within_the_callers_scope(
        client: TestClient, small_demo: Path) -> None:
    own = _customer_with_accounts(small_demo, None)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": token})
    queue = client.get("/queue").text
    assert 'id="search-q"' in queue
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1)  # type: ignore[union-attr]
    found = client.post("/search", data={"q": own["phone"], "csrf_token": csrf})
    assert found.status_code == 200 and f'href="/accounts/{own["account_id"]}"' in found.text
    assert "电话号码" in found.text and own["phone"] not in found.text  # not even echoed in the box
    english = client.post("/search?lang=en", data={"q": own["national_id"], "csrf_token": csrf})
    assert "ID number" in english.text
    assert client.post("/search", data={"q": "x", "csrf_token": csrf}).status_code == 422
    assert client.post("/search", data={"q": own["phone"], "csrf_token": "forged"}).status_code == 403
    api = client.get("/v1/search", params={"q": own["phone"]}, headers=bearer(client, "agency1"))
    assert api.status_code == 200 and api.json()["items"] == []
    mine = client.get("/v1/search", params={"q": own["account_id"]}, headers=bearer(client, "collector")).json()
    assert [i["account_id"] for i in mine["items"]] == [own["account_id"]]
