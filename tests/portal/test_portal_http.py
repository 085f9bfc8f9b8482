"""The customer's page through HTTP (self-service-v1), on real SQLite and PostgreSQL: nothing
personal before verification, the code by SMS, the lock after five wrong codes, the rate limits,
the same 404 for tampered, expired and revoked links, CSRF, the cookie, and each action's effect
as the workbench and /v1 see it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from portal_support import account_with_mobile, ask_for_code, csrf_of, token_of, verified
from sqlalchemy import select
from workbench_support import bearer

from arrears.adapters.storage import tables as t
from arrears.services.portal.links import create_link, revoke_link


def _link(portal, account_id, ttl=None):  # type: ignore[no-untyped-def]
    return token_of(create_link(portal, account_id, ttl=ttl, created_by="test"))


def test_before_verification_the_page_shows_the_creditor_and_a_button_and_nothing_personal(site) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = site
    account = account_with_mobile(engine)
    page = client.get(f"/p/{_link(portal, account['account_id'])}")
    assert page.status_code == 200
    html = page.text
    assert "样本银行信用卡中心" in html and 'action="/p/' in html and "/code" in html
    balance, past_due = account["balance_cents"], account["past_due_cents"]
    for secret in (account["account_id"], account["account_id"][-4:], account["name_masked"],
                   account["name_masked"][:1] + "*", f"{balance // 100:,}", f"{past_due // 100:,}",
                   str(balance // 100), str(past_due // 100)):
        assert secret not in html, secret


def test_the_code_goes_by_sms_to_the_customers_own_mobile_and_opens_the_page(site, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = site
    account = account_with_mobile(engine)
    token = _link(portal, account["account_id"])
    verified(client, token, sender)
    message = sender.sent[-1]
    assert message["channel"] == "sms" and message["to"].startswith("+")
    assert message["text"].startswith("【样本银行信用卡中心】") and "元" not in message["text"]
    page = client.get(f"/p/{token}").text
    assert account["name_masked"] not in page or "*" in account["name_masked"]
    assert "元" in page and 'id="balance"' in page and 'id="dpd"' in page


def test_the_session_cookie_is_httponly_strict_secure_and_scoped_to_the_link(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    ask_for_code(client, token)
    page = client.get(f"/p/{token}?sent=1")
    done = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith("arrears_portal="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "secure" in lowered
    assert f"path=/p/{token}".lower() in lowered and "max-age=1800" in lowered


def test_five_wrong_codes_lock_the_link_for_thirty_minutes(quick, sender, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    ask_for_code(client, token)
    csrf = csrf_of(client.get(f"/p/{token}?sent=1").text)
    right = sender.last_code()
    wrong = "000000" if right != "000000" else "111111"
    answers = [client.post(f"/p/{token}/verify", data={"code": wrong, "csrf_token": csrf}).status_code
               for _ in range(5)]
    assert answers == [422, 422, 422, 422, 423]
    locked = client.post(f"/p/{token}/verify", data={"code": right, "csrf_token": csrf})
    assert locked.status_code == 423 and "锁定" in locked.text
    assert client.post(f"/p/{token}/code", data={"csrf_token": csrf}).status_code == 423
    clock.set(clock.now + timedelta(minutes=31))
    asked = client.post(f"/p/{token}/code", data={"csrf_token": csrf}, follow_redirects=False)
    assert asked.status_code == 303
    done = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303


def test_code_requests_are_rate_limited_per_link_and_per_number(quick, sender, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    account = account_with_mobile(engine)["account_id"]
    token = _link(portal, account)
    csrf = csrf_of(client.get(f"/p/{token}").text)
    assert client.post(f"/p/{token}/code", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.post(f"/p/{token}/code", data={"csrf_token": csrf}).status_code == 429  # moments later
    for _ in range(2):
        clock.set(clock.now + timedelta(minutes=1))
        assert client.post(f"/p/{token}/code", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    clock.set(clock.now + timedelta(minutes=1))
    assert client.post(f"/p/{token}/code", data={"csrf_token": csrf}).status_code == 429  # 3 an hour per link
    assert len(sender.sent) == 3
    other = _link(portal, account)  # a second link to the same number: the number's limit is 5 an hour
    csrf2 = csrf_of(client.get(f"/p/{other}").text)
    for _ in range(2):
        clock.set(clock.now + timedelta(minutes=1))
        assert client.post(f"/p/{other}/code", data={"csrf_token": csrf2}, follow_redirects=False).status_code == 303
    clock.set(clock.now + timedelta(minutes=1))
    refused = client.post(f"/p/{other}/code", data={"csrf_token": csrf2})
    assert refused.status_code == 429 and len(sender.sent) == 5


def test_tampered_expired_revoked_and_unknown_links_answer_the_same_plain_404(quick, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    account = account_with_mobile(engine)["account_id"]
    good = _link(portal, account)
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    other_id = ("x" if good[0] != "x" else "y") + good[1:]
    expiring = _link(portal, account, ttl=timedelta(seconds=10))
    revoked = _link(portal, account)
    assert revoke_link(portal, revoked, actor="test")
    assert client.get(f"/p/{expiring}").status_code == 200
    clock.set(clock.now + timedelta(seconds=11))
    answers = [client.get(f"/p/{token}") for token in (tampered, other_id, expiring, revoked, "nonsense")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert account not in answers[0].text
    posts = [client.post(f"/p/{token}/code", data={"csrf_token": "x" * 43}) for token in (tampered, expiring, revoked)]
    assert {p.status_code for p in posts} == {404} and len({p.text for p in posts} | {answers[0].text}) == 1


def test_a_link_stops_working_when_it_expires_even_with_a_session(quick, sender, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"], ttl=timedelta(minutes=30))
    verified(client, token, sender)
    clock.set(clock.now + timedelta(minutes=29))
    assert client.get(f"/p/{token}").status_code == 200
    clock.set(clock.now + timedelta(minutes=2))
    assert client.get(f"/p/{token}").status_code == 404


def test_a_session_ends_after_thirty_idle_minutes(quick, sender, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    verified(client, token, sender)
    clock.set(clock.now + timedelta(minutes=20))
    assert 'id="debt"' in client.get(f"/p/{token}").text  # used: the idle time starts again
    clock.set(clock.now + timedelta(minutes=20))
    assert 'id="debt"' in client.get(f"/p/{token}").text
    clock.set(clock.now + timedelta(minutes=31))
    page = client.get(f"/p/{token}")
    assert page.status_code == 200 and 'id="debt"' not in page.text and "/code" in page.text


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    account = account_with_mobile(engine)["account_id"]
    token = _link(portal, account)
    client.get(f"/p/{token}")
    assert client.post(f"/p/{token}/code", data={}).status_code == 403
    assert client.post(f"/p/{token}/code", data={"csrf_token": "y" * 43}).status_code == 403
    assert sender.sent == []
    csrf = verified(client, token, sender)
    assert client.post(f"/p/{token}/plan", data={"months": "6"}).status_code == 403
    assert client.post(f"/p/{token}/plan", data={"months": "6", "csrf_token": csrf[:-2] + "zz"}).status_code == 403
    assert client.post(f"/p/{token}/preferences", data={"opt_out": "sms"}).status_code == 403
    page = client.get(f"/p/{token}").text
    assert "id=\"plan-" not in page


def test_a_session_is_bound_to_its_link(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    account = account_with_mobile(engine)["account_id"]
    first, second = _link(portal, account), _link(portal, account)
    verified(client, first, sender)
    cookie = client.cookies.get("arrears_portal", path=f"/p/{first}")
    assert cookie
    answer = client.get(f"/p/{second}", cookies={"arrears_portal": cookie})
    assert 'id="debt"' not in answer.text


def test_a_plan_the_customer_chooses_is_previewed_then_booked_and_shows_on_the_workbench_and_api(site, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = site
    account = account_with_mobile(engine)["account_id"]
    token = _link(portal, account)
    csrf = verified(client, token, sender)
    preview = client.get(f"/p/{token}/plan?months=6")
    assert preview.status_code == 200 and preview.text.count("<tr><td>") == 6 and 'id="total"' in preview.text
    booked = client.post(f"/p/{token}/plan", data={"months": "6", "csrf_token": csrf}, follow_redirects=False)
    assert booked.status_code == 303 and booked.headers["location"].endswith("?done=plan")
    page = client.get(booked.headers["location"]).text
    assert "id=\"flash\"" in page and "id=\"plan-PL-" in page
    headers = bearer(client, "collector")
    held = client.get(f"/v1/accounts/{account}/arrangements", headers=headers).json()
    assert [p["months"] for p in held["plans"]] == [6]
    assert held["plans"][0]["status"] == "active"
    shown_total = re.search(r'id="total">([^<]+)<', preview.text)
    assert shown_total and shown_total[1] == f"{Decimal(held['plans'][0]['total_due']):,.2f}元"
    client.cookies.clear()
    login = client.get("/login")
    client.post("/login", data={"username": "collector", "password": "correct-horse-battery",
                                "csrf_token": csrf_of(login.text)})
    assert held["plans"][0]["plan_id"] in client.get(f"/accounts/{account}").text
    with engine.connect() as connection:
        from arrears.adapters.storage.audit_tables import audit_events

        actors = set(connection.execute(select(audit_events.c.actor).where(
            audit_events.c.action == "plan.agreed")).scalars())
    assert any(actor.startswith("customer:") for actor in actors)


def test_a_plan_outside_the_offers_is_refused(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    csrf = verified(client, token, sender)
    refused = client.post(f"/p/{token}/plan", data={"months": "48", "csrf_token": csrf})
    assert refused.status_code == 422 and "48" in refused.text


def test_a_promise_within_policy_is_recorded_and_one_beyond_it_is_refused_by_the_ptp_rules(site, sender, clock) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = site
    account = account_with_mobile(engine)["account_id"]
    token = _link(portal, account)
    csrf = verified(client, token, sender)
    far = (clock.now + timedelta(days=60)).date().isoformat()
    refused = client.post(f"/p/{token}/promise", data={"amount": "500", "date": far, "csrf_token": csrf})
    assert refused.status_code == 422 and "30" in refused.text
    soon = (clock.now + timedelta(days=5)).date().isoformat()
    done = client.post(f"/p/{token}/promise", data={"amount": "500.00", "date": soon, "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    held = client.get(f"/v1/accounts/{account}/arrangements", headers=bearer(client, "collector")).json()
    assert [(p["amount"], p["promised_date"]) for p in held["promises"]] == [("500.00", soon)]
    again = client.post(f"/p/{token}/promise", data={"amount": "100", "date": soon, "csrf_token": csrf})
    assert again.status_code == 422  # ARR-PTP-03: one open promise at a time


def test_preferences_are_stored_and_an_sms_opt_out_makes_the_next_gate_decision_deny_sms(site, sender, clock) -> None:  # type: ignore[no-untyped-def]
    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.contact_gate_port import ContactRequest

    client, portal, engine = site
    account = account_with_mobile(engine)
    token = _link(portal, account["account_id"])
    csrf = verified(client, token, sender)
    gate = SqlContactGate(engine)
    at = clock.now.replace(hour=11)  # 11:00 in Shanghai
    request = ContactRequest(account_id=account["account_id"], channel="sms", at=at,
                             contact_point_id=account["contact_point_id"], purpose="collection")
    before = gate.preview(request)
    assert before.allowed, before
    done = client.post(f"/p/{token}/preferences", data={"channel": "email", "hours": "19-21", "opt_out": "sms",
                                                         "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    denied = gate.preview(request)
    assert not denied.allowed and any("OPTOUT" in rule or "OPT" in rule for rule in denied.rules), denied
    with engine.connect() as connection:
        opted = connection.execute(select(t.contact_points.c.do_not_contact).where(
            t.contact_points.c.contact_point_id == account["contact_point_id"])).scalar()
    assert opted is True
    page = client.get(f"/p/{token}").text
    assert 'id="opted-out"' in page and 'value="19-21"' in page
    wrong = client.post(f"/p/{token}/preferences", data={"hours": "21-19", "csrf_token": csrf})
    assert wrong.status_code == 422


def test_without_a_valid_mobile_the_code_goes_by_email_to_the_customers_own_address(quick, sender) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    client, portal, engine = quick
    p = t.contact_points.c
    with engine.connect() as connection:
        customer = connection.execute(select(p.customer_id).where(
            p.kind == "email", p.owner == "debtor", p.status != "invalid").order_by(p.customer_id)).scalar()
        account = connection.execute(select(t.accounts.c.account_id).where(
            t.accounts.c.customer_id == customer)).scalar()
    with engine.begin() as connection:
        connection.execute(update(t.contact_points).where(p.customer_id == customer, p.kind == "mobile")
                           .values(status="invalid"))
    token = _link(portal, account)
    assert ask_for_code(client, token).status_code == 303
    assert sender.sent[-1]["channel"] == "email" and "@" in sender.sent[-1]["to"]
    assert sender.sent[-1]["subject"]


def test_what_the_customer_does_is_audited_with_the_customer_as_the_actor(quick, sender) -> None:  # type: ignore[no-untyped-def]
    from arrears.adapters.storage.audit_tables import audit_events

    client, portal, engine = quick
    account = account_with_mobile(engine)
    token = _link(portal, account["account_id"])
    csrf = verified(client, token, sender)
    client.post(f"/p/{token}/preferences", data={"channel": "sms", "hours": "19-21", "csrf_token": csrf})
    e = audit_events.c
    with engine.connect() as connection:
        rows = connection.execute(select(e.actor, e.action).where(e.action.like("portal.%"))).all()
    mine = {action for actor, action in rows if actor == f"customer:{account['customer_id']}"}
    assert {"portal.code_sent", "portal.verified", "portal.preferences"} <= mine
    assert ("test", "portal.link_created") in {(actor, action) for actor, action in rows}


def test_wrong_codes_sent_at_once_are_each_counted_and_lock_the_link(site, sender) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    from arrears.services.portal import identity
    from arrears.services.portal.context import PortalRefused

    client, portal, engine = site
    token = _link(portal, account_with_mobile(engine)["account_id"])
    assert ask_for_code(client, token).status_code == 303
    wrong = "000000" if sender.last_code() != "000000" else "111111"

    def guess(_: int) -> int:
        try:
            identity.verify_code(portal, token, wrong)
        except PortalRefused as refused:
            return refused.status
        return 200

    with ThreadPoolExecutor(8) as pool:
        answers = sorted(pool.map(guess, range(12)))
    assert answers.count(422) == 4 and answers.count(423) == 8, answers
    late = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": "x" * 43})
    assert late.status_code in (403, 423)


def test_each_page_seen_renews_the_session_cookie(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    verified(client, token, sender)
    seen = client.get(f"/p/{token}")
    renewed = [v for k, v in seen.headers.multi_items() if k == "set-cookie" and v.startswith("arrears_portal=")]
    assert renewed and "max-age=1800" in renewed[0].lower()


def test_a_code_the_gateway_refused_is_not_counted_as_sent_and_cannot_be_used(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = _link(portal, account_with_mobile(engine)["account_id"])
    sender.accept = False
    refused = ask_for_code(client, token)
    assert refused.status_code == 503
    csrf = csrf_of(client.get(f"/p/{token}?sent=1").text)
    tried = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": csrf})
    assert tried.status_code == 422


def test_over_plain_http_with_an_http_public_url_the_cookie_is_not_marked_secure(sqlite_db, clock, sender) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from fastapi.testclient import TestClient
    from portal_support import make_app

    from arrears.entrypoints.web.portal_pages import configure_portal

    app, portal = make_app(sqlite_db, clock, sender)
    plain = replace(portal, public_url="http://127.0.0.1:8000", secure_cookies=False)
    configure_portal(app, plain)
    with TestClient(app, base_url="http://testserver") as client:
        token = _link(plain, account_with_mobile(sqlite_db)["account_id"])
        ask_for_code(client, token)
        page = client.get(f"/p/{token}?sent=1")
        done = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith("arrears_portal="))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
