"""An inbound call on the pages (issue 16): each search result offers to log the caller's call; it
opens the account with the contact form preset to an inbound call (a call, the debtor, a
conversation), offers only what an answered call can be, and logs it without asking the gate;
a refused form comes back still inbound and as typed; taken while another account is held, the
call brings the collector back to it."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from workbench_support import PASSWORD, SHANGHAI, FakeGate, account_of_agency

from arrears.adapters.clock import FixedClock
from arrears.services.workbench.context import Workbench


def _login(client: TestClient, username: str = "collector") -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]


def _options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select name="\w+" id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert block is not None, select_id
    return re.findall(r'<option value="([^"]+)"', block.group(1))


def _selected(page: str, select_id: str) -> str | None:
    block = re.search(rf'<select name="\w+" id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    chosen = re.search(r'<option value="([^"]+)"[^>]*selected', block.group(1)) if block else None
    return chosen.group(1) if chosen else None


def test_a_search_result_opens_the_account_with_the_form_of_an_inbound_call_and_logs_it_at_22_00(
        client: TestClient, wb: Workbench, gate: FakeGate, clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 29, 22, 0, tzinfo=SHANGHAI))  # every call out is refused now
    account_id = account_of_agency(wb.engine, None)
    csrf = _login(client)
    found = client.post("/search", data={"q": account_id, "csrf_token": csrf}).text
    link = f'href="/accounts/{account_id}?inbound=1#log-contact"'
    assert link in found and "来电登记" in found
    page = client.get(f"/accounts/{account_id}?inbound=1").text
    assert 'id="inbound-notice"' in page and "不计入任何外呼次数" in page
    assert 'name="direction" id="direction" value="inbound"' in page
    assert 'name="channel" id="channel" value="call"' in page and "电话 · 呼入" in page
    assert _options(page, "outcome") == ["conversation", "dispute", "refused", "answered_other", "dropped"]
    assert (_selected(page, "outcome"), _selected(page, "party")) == ("conversation", "debtor")
    assert "本人来电，有效通话" in page
    assert not re.search(r'id="log-submit"[^>]*disabled', page)  # the gate's refusals do not apply
    logged = client.post(f"/accounts/{account_id}/contacts", follow_redirects=False, data={
        "csrf_token": csrf, "direction": "inbound", "channel": "call", "party": "debtor", "outcome": "conversation",
        "notes": "客户来电询问分期", "promise_amount": "1,200.00", "promise_date": "2026-12-06"})
    assert logged.status_code == 303 and logged.headers["location"].endswith("?logged=inbound")
    after = client.get(logged.headers["location"]).text
    assert "来电已登记" in after and "呼入" in after and "客户来电询问分期" in after
    assert not gate.ledger  # nothing reserved
    english = client.get(f"/accounts/{account_id}?inbound=1&lang=en").text
    assert "Inbound call: the customer called us." in english and "The customer: a conversation" in english


def test_a_refused_inbound_form_comes_back_inbound_with_what_was_typed(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    csrf = _login(client)
    refused = client.post(f"/accounts/{account_id}/contacts?lang=en", data={
        "csrf_token": csrf, "direction": "inbound", "channel": "call", "party": "debtor",
        "outcome": "answered_other", "notes": "说是她丈夫"})
    assert refused.status_code == 422
    page = refused.text
    assert 'id="inbound-notice"' in page and "answered_other means someone other than the customer" in page
    assert _selected(page, "outcome") == "answered_other" and "说是她丈夫" in page


def test_an_inbound_call_taken_while_holding_an_account_brings_the_collector_back_to_it(client: TestClient) -> None:
    csrf = _login(client)
    held = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False).headers["location"]
    held_id = held.rsplit("/", 1)[1]
    caller = next(a for a in ("A00000001", "A00000002", "A00000003") if a != held_id)
    page = client.get(f"/accounts/{caller}?inbound=1").text
    assert f"保存并回到 {held_id}" in page
    back = client.post(f"/accounts/{caller}/contacts", follow_redirects=False, data={
        "csrf_token": csrf, "direction": "inbound", "channel": "call", "party": "debtor", "outcome": "dropped",
        "then": "back"})
    assert back.status_code == 303 and back.headers["location"] == f"/accounts/{held_id}"
    assert 'id="skip"' in client.get(back.headers["location"]).text  # still held: nothing was put back
