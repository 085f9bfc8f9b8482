"""End to end through the workbench pages (session, CSRF): a promise logged with a call is
recorded in the arrangements, shown on the account page and in the arrangements API; a promise
the arrangements rules refuse is shown as a field error and nothing is written."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from workbench_support import PASSWORD, account_of_agency, bearer

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import promises_to_pay
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.entrypoints.api.deps import get_engine, get_now
from arrears.services.workbench.context import Workbench


def _login(client: TestClient) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    reply = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]


def _account_and_phone(wb: Workbench) -> tuple[str, str]:
    account_id = account_of_agency(wb.engine, None)
    p = t.contact_points.c
    with wb.engine.connect() as connection:
        customer = connection.execute(select(t.accounts.c.customer_id)
                                      .where(t.accounts.c.account_id == account_id)).scalar_one()
        phone = connection.execute(select(p.contact_point_id).where(
            p.customer_id == customer, p.kind.in_(("mobile", "home", "work"))).order_by(p.contact_point_id)
            .limit(1)).scalar_one()
    return account_id, phone


def _counts(wb: Workbench) -> tuple[int, int, int]:
    with wb.engine.connect() as connection:
        return tuple(connection.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[return-value]
                     for table in (contact_attempts, promises_to_pay, audit_events))


def test_a_promise_logged_on_the_account_page_is_recorded_shown_and_served_by_the_arrangements_api(
    client: TestClient, wb: Workbench
) -> None:
    csrf = _login(client)
    account_id, phone = _account_and_phone(wb)
    reply = client.post(f"/accounts/{account_id}/contacts", follow_redirects=False, data={
        "csrf_token": csrf, "channel": "call", "contact_point_id": phone, "outcome": "conversation",
        "party": "debtor", "promise_amount": "1234.50", "promise_date": "2026-12-05"})
    assert reply.status_code == 303, reply.text
    with wb.engine.connect() as connection:
        (contact_id,) = connection.execute(select(contact_attempts.c.contact_id)
                                           .where(contact_attempts.c.account_id == account_id)).scalars()
        actors = connection.execute(select(audit_events.c.actor).where(
            audit_events.c.action == "promise.recorded",
            audit_events.c.subject == f"promise:workbench:{contact_id}")).scalars().all()
    assert actors == ["collector"]
    page = client.get(f"/accounts/{account_id}").text
    promises = page.split('<section id="promises">')[1].split("</section>")[0]
    assert "1,234.50" in promises and "2026-12-05" in promises and "工作台登记" in promises
    contacts = page.split('<section id="contacts">')[1].split("</section>")[0]
    assert '<td class="who">collector</td>' in contacts  # who logged it
    client.app.dependency_overrides[get_engine] = lambda: wb.engine  # type: ignore[attr-defined]
    client.app.dependency_overrides[get_now] = wb.now  # type: ignore[attr-defined]
    history = client.get(f"/v1/accounts/{account_id}/promise-history", headers=bearer(client, "collector"))
    assert history.status_code == 200, history.text
    mine = [p for p in history.json()["promises"] if p["promise_id"] == f"workbench:{contact_id}"]
    assert [(p["amount"], p["promised_date"], p["status"], p["source"]) for p in mine] == [
        ("1234.50", "2026-12-05", "open", "recorded")]


def test_a_promise_the_arrangements_refuse_is_a_field_error_on_the_page_and_nothing_is_written(
    client: TestClient, wb: Workbench
) -> None:
    csrf = _login(client)
    account_id, phone = _account_and_phone(wb)
    before = _counts(wb)
    reply = client.post(f"/accounts/{account_id}/contacts", data={
        "csrf_token": csrf, "channel": "call", "contact_point_id": phone, "outcome": "conversation",
        "party": "debtor", "promise_amount": "800.00", "promise_date": "2027-01-15"})  # 47 days ahead
    assert reply.status_code == 422
    problem = reply.text.split('id="contact-error">')[1].split("</section>")[0]
    assert "承诺还款日期" in problem and "ARR-PTP-01" in problem and "promise_date" in problem
    assert _counts(wb) == before
    english = client.post(f"/v1/accounts/{account_id}/contacts?lang=en", headers=bearer(client, "collector"), json={
        "channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor",
        "promise_amount": "800.00", "promise_date": "2027-01-15"})
    assert english.status_code == 422
    error = english.json()["error"]
    assert error["field"] == "promise_date" and error["message"].startswith("promise date: a promise may be dated")
    assert _counts(wb) == before


def test_after_a_refused_entry_the_form_comes_back_with_everything_typed(client: TestClient, wb: Workbench) -> None:
    csrf = _login(client)
    account_id, phone = _account_and_phone(wb)
    typed = {"channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor",
             "notes": "客户说月底发工资后还款", "promise_amount": "1234.50", "promise_date": "2020-01-01",
             "dispute": "1", "callback_at": "2026-11-30T10:00"}
    reply = client.post(f"/accounts/{account_id}/contacts", data={"csrf_token": csrf, **typed})
    assert reply.status_code == 422
    form = reply.text.split('id="contact-form"')[1].split("</form>")[0]
    assert '<option value="call"  selected>' in form or '<option value="call" selected>' in form
    assert re.search(rf'<option value="{phone}"[^>]*selected', form)
    assert re.search(r'<option value="conversation"[^>]*selected', form)
    assert re.search(r'<option value="debtor"[^>]*selected', form)
    assert "客户说月底发工资后还款</textarea>" in form
    assert 'value="1234.50"' in form and 'value="2020-01-01"' in form and 'value="2026-11-30T10:00"' in form
    assert re.search(r'id="dispute"[^>]*checked', form) and not re.search(r'id="complaint"[^>]*checked', form)


def test_the_contact_form_makes_the_collector_choose_a_channel_and_an_outcome(
    client: TestClient, wb: Workbench
) -> None:
    _login(client)
    account_id, _phone = _account_and_phone(wb)
    form = client.get(f"/accounts/{account_id}").text.split('id="contact-form"')[1].split("</form>")[0]
    assert not re.search(r"<option[^>]*selected", form)  # nothing chosen for them: no default outcome
    assert re.search(r'<select name="channel" id="channel" required><option value="">', form)
    assert re.search(r'<select name="outcome" id="outcome" required><option value="">', form)


def test_a_do_not_contact_number_cannot_be_chosen_on_the_contact_form(client: TestClient, wb: Workbench) -> None:
    from sqlalchemy import update

    _login(client)
    account_id, phone = _account_and_phone(wb)
    with wb.engine.begin() as connection:
        connection.execute(update(t.contact_points).where(t.contact_points.c.contact_point_id == phone)
                           .values(do_not_contact=True))
    form = client.get(f"/accounts/{account_id}").text.split('id="contact-form"')[1].split("</form>")[0]
    assert re.search(rf'<option value="{phone}"[^>]*disabled', form)


def test_the_page_reads_a_promised_amount_as_it_shows_amounts_and_as_chinese_writes_them(
    client: TestClient, wb: Workbench
) -> None:
    csrf = _login(client)
    account_id, phone = _account_and_phone(wb)
    for typed in ("1,500.00", "1500元"):
        with wb.engine.begin() as connection:  # a fresh promise each time: the first would still be open
            connection.execute(promises_to_pay.delete())
        reply = client.post(f"/accounts/{account_id}/contacts", follow_redirects=False, data={
            "csrf_token": csrf, "channel": "call", "contact_point_id": phone, "outcome": "conversation",
            "party": "debtor", "promise_amount": typed, "promise_date": "2026-12-05"})
        assert reply.status_code == 303, (typed, reply.text[:300])
        with wb.engine.connect() as connection:
            assert connection.execute(select(promises_to_pay.c.amount_cents)).scalars().all() == [150000], typed
