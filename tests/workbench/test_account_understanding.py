"""The account page and API show the latest scores with reason codes, the arrangements
(promises, plans, settlements) and message templates previewed through the compliance gate."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.exc import NoResultFound
from workbench_support import PASSWORD, SHANGHAI, bearer

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.domain.arrangements.approvals import Authority
from arrears.domain.vocabulary import Segment
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.plans import AgreePlan, agree_plan
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.messages import TEMPLATES

AGREED = datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)


def _scored_in_house_account(engine: Engine, language: str = "zh") -> str:
    a, s, c = t.accounts.c, account_scores.c, t.customers.c
    with engine.connect() as connection:
        return connection.execute(
            select(a.account_id).join(account_scores, s.account_id == a.account_id)
            .join(t.customers, c.customer_id == a.customer_id)
            .where((a.agency_id.is_(None) | (a.agency_id == "")), a.past_due_cents > 0, c.language == language)
            .order_by(a.account_id).limit(1)).scalar_one()


def _agree_plan(engine: Engine, account_id: str) -> None:
    agree_plan(SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine),
               AgreePlan("PL-T1", account_id, 6, date(2026, 12, 15)), maker="collector",
               approver=Signer("collector", Authority.COLLECTOR), now=AGREED)


def _login(client: TestClient, username: str = "collector") -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text


def test_the_account_api_carries_the_latest_scores_with_reason_codes_in_both_languages(
    client: TestClient, wb: Workbench
) -> None:
    account_id = _scored_in_house_account(wb.engine)
    view = client.get(f"/v1/accounts/{account_id}", headers=bearer(client, "collector")).json()
    scores = view["scores"]
    assert scores["as_of"] == "2026-11-29" and scores["segment"] in {s.value for s in Segment}
    assert 0 <= scores["ability"] <= 1 and 0 <= scores["willingness"] <= 1 and 0 <= scores["propensity"] <= 1
    assert len(scores["reasons"]) == 3
    assert all(r["code"] and re.search(r"[\u4e00-\u9fff]", r["zh"]) and r["en"] for r in scores["reasons"])
    assert scores["model"]["kind"] == "scorecard" and scores["treatment_en"]


def test_a_plan_agreed_on_the_account_is_shown_with_its_status_in_the_api_and_on_the_page(
    client: TestClient, wb: Workbench
) -> None:
    account_id = _scored_in_house_account(wb.engine)
    _agree_plan(wb.engine, account_id)
    view = client.get(f"/v1/accounts/{account_id}", headers=bearer(client, "collector")).json()
    plans = view["arrangements"]["plans"]
    assert [(p["plan_id"], p["status"], p["months"]) for p in plans] == [("PL-T1", "active", 6)]
    assert Decimal(plans[0]["principal"]) > 0
    assert set(view["arrangements"]["promise_summary"]) >= {"made", "kept", "broken", "kept_ratio"}
    _login(client)
    page = client.get(f"/accounts/{account_id}").text
    assert 'class="plan-row"' in page and "PL-T1" in page and "履行中" in page


def test_ingested_promises_are_listed_with_their_status(client: TestClient, wb: Workbench) -> None:
    k = t.contacts.c
    with wb.engine.connect() as connection:
        account_id = connection.execute(
            select(k.account_id).join(t.accounts, t.accounts.c.account_id == k.account_id)
            .where(k.promise_date.is_not(None), (t.accounts.c.agency_id.is_(None) | (t.accounts.c.agency_id == "")))
            .order_by(k.account_id).limit(1)).scalar()
    if account_id is None:
        pytest.skip("the demo portfolio holds no in-house promise")
    view = client.get(f"/v1/accounts/{account_id}", headers=bearer(client, "collector")).json()
    promises = view["arrangements"]["promises"]
    assert promises and all(p["source"] == "contact" for p in promises)
    assert {p["status"] for p in promises} <= {"open", "kept", "partly_kept", "broken"}
    assert view["arrangements"]["promise_summary"]["made"] == len(promises)


def test_the_account_page_shows_the_segment_reasons_and_the_message_previews(client: TestClient, wb: Workbench) -> None:
    account_id = _scored_in_house_account(wb.engine)
    _login(client)
    page = client.get(f"/accounts/{account_id}").text
    assert 'id="scores"' in page and "还款能力" in page and 'data-segment="' in page
    assert page.count('class="reason-code"') == 3
    assert f'hx-get="/accounts/{account_id}/messages"' in page  # loaded after the page: it stays fast
    previews = client.get(f"/accounts/{account_id}/messages").text
    for template in TEMPLATES:
        assert f'id="message-{template.template_id}"' in previews
    assert "尾号" + account_id[-4:] in previews  # rendered in the customer's language (zh) with masked data
    english = client.get(f"/accounts/{account_id}?lang=en").text
    assert "Ability and willingness" in english and "Propensity to pay" in english


def test_each_template_is_previewed_by_the_gate_as_an_sms_with_its_exact_text(
    client: TestClient, wb: Workbench, gate, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    seen: list[ContactRequest] = []
    original = gate.preview

    def recording(request: ContactRequest, language: str = "zh"):  # type: ignore[no-untyped-def]
        seen.append(request)
        return original(request, language)

    monkeypatch.setattr(gate, "preview", recording)
    account_id = _scored_in_house_account(wb.engine)
    previews = client.get(f"/v1/accounts/{account_id}/messages", headers=bearer(client, "collector")).json()
    assert [p["template_id"] for p in previews] == [t_.template_id for t_ in TEMPLATES]
    texts = [r.message for r in seen if r.message]
    assert texts == [p["text"] for p in previews]
    assert all(r.channel == "sms" for r in seen if r.message)
    assert all(p["verdict"]["decision"] == "allow" for p in previews)  # 10:00 Beijing time
    assert all("*" in p["text"] for p in previews)  # the masked name, never the plaintext
    reminder = previews[0]["text"]
    assert "元" in reminder and "CNY" not in reminder  # Chinese writes 34,499.99元, not CNY 34,499.99


def test_at_night_every_template_preview_is_denied_with_the_gates_reason(
    client: TestClient, wb: Workbench, clock  # type: ignore[no-untyped-def]
) -> None:
    account_id = _scored_in_house_account(wb.engine)
    headers = bearer(client, "collector")
    clock.set(datetime(2026, 11, 29, 22, 30, tzinfo=SHANGHAI))
    previews = client.get(f"/v1/accounts/{account_id}/messages", headers=headers,
                          params={"lang": "en"}).json()
    assert {p["verdict"]["decision"] for p in previews} == {"deny"}
    assert all("quiet hours" in p["verdict"]["reasons"][0] for p in previews)


def test_an_english_speaking_customer_gets_the_english_texts(client: TestClient, wb: Workbench) -> None:
    try:
        account_id = _scored_in_house_account(wb.engine, "en")
    except NoResultFound:
        pytest.skip("the demo portfolio holds no in-house English-speaking delinquent customer")
    previews = client.get(f"/v1/accounts/{account_id}/messages", headers=bearer(client, "collector")).json()
    assert all(p["language"] == "en" and "Dear" in p["text"] for p in previews)


def test_an_agency_user_cannot_preview_messages_for_another_agencys_account(client: TestClient, wb: Workbench) -> None:
    a = t.accounts.c
    with wb.engine.connect() as connection:
        other = connection.execute(select(a.account_id).where(a.agency_id == "AG02").limit(1)).scalar_one()
    assert client.get(f"/v1/accounts/{other}/messages", headers=bearer(client, "agency1")).status_code == 404


def test_a_promise_logged_in_the_workbench_is_listed_and_judged_with_the_others(
    client: TestClient, wb: Workbench
) -> None:
    account_id = _scored_in_house_account(wb.engine)
    headers = bearer(client, "collector")
    points = client.get(f"/v1/accounts/{account_id}", headers=headers).json()["contact_points"]
    phone = next(p["contact_point_id"] for p in points if p["kind"] in ("mobile", "home", "work"))
    logged = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={
        "channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor",
        "promise_amount": "1500.00", "promise_date": "2026-12-05"})
    assert logged.status_code == 201, logged.text
    promises = client.get(f"/v1/accounts/{account_id}", headers=headers).json()["arrangements"]["promises"]
    mine = [p for p in promises if p["promise_id"].startswith("workbench:")]
    assert [(p["amount"], p["amount_cents"], p["promised_date"], p["status"]) for p in mine] == [
        ("1500.00", 150_000, "2026-12-05", "open")]


def test_the_templates_pass_the_real_gates_screening_they_name_the_institution_and_the_collector(
    wb: Workbench
) -> None:
    from dataclasses import replace

    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.workbench import accounts, messages
    from arrears.services.workbench.auth import authenticate

    real = replace(wb, gate=SqlContactGate(wb.engine))
    principal = authenticate(real, "collector", PASSWORD)
    for language in ("zh", "en"):
        account_id = _scored_in_house_account(wb.engine, language)
        previews = messages.message_previews(real, principal, accounts.account_view(real, principal, account_id))
        for preview in previews:
            assert "CN-ID-01" not in preview["verdict"]["rules"], preview
            assert principal.agent_id in preview["text"] and real.institution_name in preview["text"]
            assert not [r for r in preview["verdict"]["rules"] if r.startswith(("CN-TXT", "US-TXT"))], preview


def _visible_text(page: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, _attrs: list) -> None:  # type: ignore[type-arg]
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("script", "style")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join(parser.parts)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_account_page_shows_words_not_codes(client: TestClient, wb: Workbench, language: str) -> None:
    from arrears.entrypoints.web.labels import CODE_LISTS

    account_id = _scored_in_house_account(wb.engine)
    _login(client)
    client.post(f"/accounts/{account_id}/contacts", data={"channel": "letter", "outcome": "delivered"})
    text = _visible_text(client.get(f"/accounts/{account_id}?lang={language}").text)
    text += _visible_text(client.get(f"/accounts/{account_id}/messages?lang={language}").text)
    codes = {code for name, codes in CODE_LISTS.items() for code in codes if "_" in code or "." in code}
    codes |= {"allow", "deny", "mobile", "debtor", "scorecard"}
    shown = sorted(code for code in codes if re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", text))
    assert shown == [], f"raw codes on the {language} account page: {shown}"
