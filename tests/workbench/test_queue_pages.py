"""The queue on the pages and the API (issue 16): reasons worded in the page's language, the
queue saying plainly that nobody may be contacted now, a skip with a reason, save and next, and a
channel with no usable contact point shown as forbidden."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from workbench_support import PASSWORD, SHANGHAI, account_of_agency, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import queue_skips
from arrears.domain.vocabulary import Channel
from arrears.services.workbench import channel_status
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.context import Workbench

CJK = re.compile(r"[\u4e00-\u9fff]")


def _login(client: TestClient, username: str = "collector", lang: str = "zh") -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    queue = client.get(f"/queue?lang={lang}")
    return re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)  # type: ignore[union-attr]


def _reason_cells(html: str) -> list[str]:
    table = html.split('id="waiting"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2] for row in rows]


def test_queue_reasons_follow_the_page_language(client: TestClient) -> None:
    _login(client, lang="en")
    english = _reason_cells(client.get("/queue?lang=en").text)
    assert english and all("days past due" in cell and not CJK.search(cell) for cell in english), english[:3]
    chinese = _reason_cells(client.get("/queue?lang=zh").text)
    assert all("逾期" in cell and "天" in cell and "days past due" not in cell for cell in chinese), chinese[:3]


def test_the_api_words_the_reason_in_the_reply_language_and_keeps_its_kind(client: TestClient) -> None:
    headers = bearer(client, "collector")
    english = client.post("/v1/queue/next?lang=en", headers=headers).json()
    assert english["reason_kind"] == "expected_value" and "days past due" in english["reason"]
    waiting = client.get("/v1/queue", headers=headers).json()["waiting"]
    assert "逾期" in waiting[0]["reason"] and not waiting[0]["reason"].startswith("{")


def test_after_ten_at_night_next_account_says_plainly_that_nobody_may_be_contacted(
        client: TestClient, clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 29, 22, 5, tzinfo=SHANGHAI))
    csrf = _login(client)
    page = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 200, page.headers.get("location") and 'id="queue-blocked"' in page.text
    assert "现在不能联系队列中的案件" in page.text and "免打扰" in page.text
    assert "暂缓至 23:00" in page.text
    api = client.post("/v1/queue/next", headers=bearer(client, "collector2"), params={"lang": "en"})
    assert api.status_code == 409 and "nobody in the queue may be contacted now" in api.json()["error"]["message"]


def test_a_collector_skips_the_account_with_a_reason_and_the_next_one_opens(client: TestClient, wb: Workbench) -> None:
    csrf = _login(client)
    first = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False).headers["location"]
    account_id = first.rsplit("/", 1)[1]
    page = client.get(first)
    assert 'id="skip-reason"' in page.text and "客户不便，稍后再联系" in page.text
    refused = client.post(f"/accounts/{account_id}/skip", data={"csrf_token": csrf, "reason": "blocked_now"})
    assert refused.status_code == 422
    moved = client.post(f"/accounts/{account_id}/skip", data={"csrf_token": csrf, "reason": "customer_busy"},
                        follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] != first
    with wb.engine.connect() as connection:
        skips = connection.execute(select(queue_skips.c.account_id, queue_skips.c.reason)).all()
    assert (account_id, "customer_busy") in skips
    api = client.post(f"/v1/queue/{account_id}/skip", headers=bearer(client, "collector"),
                      json={"reason": "customer_busy"})
    assert api.status_code == 404  # no longer held


def test_save_and_next_logs_the_contact_and_opens_the_next_account(client: TestClient) -> None:
    csrf = _login(client)
    first = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False).headers["location"]
    account_id = first.rsplit("/", 1)[1]
    assert 'id="log-and-next"' in client.get(first).text
    reply = client.post(f"/accounts/{account_id}/contacts", follow_redirects=False, data={
        "csrf_token": csrf, "channel": "visit", "outcome": "no_answer", "then": "next"})
    assert reply.status_code == 303 and reply.headers["location"].startswith("/accounts/")
    assert reply.headers["location"] != first
    queue = client.get("/v1/queue", headers=bearer(client, "collector")).json()
    assert queue["counts"]["done"] == 1  # the account was worked: logged while held


def test_a_channel_whose_only_contact_point_may_not_be_used_is_forbidden_in_both_languages(
        wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    a, p = t.accounts.c, t.contact_points.c
    with wb.engine.begin() as connection:
        customer = connection.execute(select(a.customer_id).where(a.account_id == account_id)).scalar_one()
        connection.execute(update(t.contact_points).where(p.customer_id == customer, p.kind == "mobile")
                           .values(do_not_contact=True))
        connection.execute(update(t.contact_points).where(p.customer_id == customer, p.kind == "email")
                           .values(status="invalid"))
    for language, sms_text, email_text in (
            ("zh", "没有可用于短信的联系方式", "没有可用于电子邮件的联系方式"),
            ("en", "no contact point that may be used for a text message",
             "no contact point that may be used for an e-mail")):
        who = replace(authenticate(wb, "collector", PASSWORD), language=language)
        status = {s.channel: s for s in channel_status.compliance_status(wb, who, account_id)}
        for channel, text in ((Channel.SMS, sms_text), (Channel.EMAIL, email_text)):
            verdict = status[channel].verdict
            assert verdict.decision == "deny" and verdict.rules == ("workbench.no_contact_point",)
            assert verdict.reasons == (text,) and status[channel].contact_point_id is None
