"""Arrangements made from the account page, and the approvals inbox, through HTTP with the page
session and its CSRF token, on SQLite and on PostgreSQL (issue 16): a plan quoted (every
installment, the same schedule as ``arrears arrangement quote``) and then booked as quoted; a
settlement beyond the collector's authority that waits and is approved by a team lead (never
by its maker); an extension, hardship help, a counselling referral and payments in the formats
the page shows; refused forms that come back as typed; everything on the arrangements' audit."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner
from workbench_support import PASSWORD

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.adapters.storage.arrangements_tables import (
    approval_requests,
    counselling_referrals,
    extensions,
    hardship_programmes,
    installment_plans,
    ledger_payments,
    settlements,
)
from arrears.services.workbench.context import Workbench

FIRST_DUE = "2026-12-15"  # the clock stands at 2026-11-29 10:00 in Shanghai


def _login(client: TestClient, username: str) -> str:
    """Sign ``username`` in (any user before is signed out); the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/approvals").text).group(1)  # type: ignore[union-attr]


def _account(wb: Workbench) -> tuple[str, int]:
    """An in-house account with an amount past due, and that amount in cents."""
    a = t.accounts.c
    with wb.engine.connect() as connection:
        row = connection.execute(select(a.account_id, a.past_due_cents).where(
            a.agency_id.is_(None), a.past_due_cents > 100_000).order_by(a.account_id).limit(1)).one()
    return row.account_id, row.past_due_cents


def _rows(wb: Workbench, table: Any, account_id: str) -> list[dict[str, Any]]:
    with wb.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(table).where(table.c.account_id == account_id)).mappings()]


def _actions(wb: Workbench, account_id: str) -> list[tuple[str, str]]:
    with wb.engine.connect() as connection:
        return [(e.action, e.actor) for e in read_audit(connection) if e.detail.get("account_id") == account_id]


def _form(page: str, form_id: str) -> str:
    return page.split(f'id="{form_id}"')[1].split("</form>", maxsplit=1)[0]


def test_a_six_month_plan_is_quoted_installment_by_installment_and_booked_as_quoted(
        db_client: TestClient, db_wb: Workbench) -> None:
    account_id, past_due = _account(db_wb)
    csrf = _login(db_client, "collector")
    quoted = db_client.post(f"/accounts/{account_id}/plans/quote", data={
        "csrf_token": csrf, "months": "6", "first_due": FIRST_DUE, "basis": "past_due"})
    assert quoted.status_code == 200, quoted.text
    rows = re.findall(r'<tr class="quote-row"><td>(\d+)</td><td>([\d-]+)</td>.*?<td class="num">([\d,.]+)</td></tr>',
                      quoted.text)
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"] and rows[0][1] == FIRST_DUE
    assert _rows(db_wb, installment_plans, account_id) == []  # a quote books nothing

    cli = CliRunner().invoke(_cli(), ["arrangement", "quote", "--balance", f"{past_due / 100:.2f}", "--months", "6",
                                      "--start", FIRST_DUE, "--json"])
    assert cli.exit_code == 0, cli.output
    engine_rows = json.loads(cli.stdout)["installments"]
    assert [r[2].replace(",", "") for r in rows] == [r["total"] for r in engine_rows]  # the same engine, to the fen

    agree = _form(quoted.text, "plan-agree-form")
    terms = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', agree))
    assert (terms["months"], terms["first_due"], terms["basis"]) == ("6", FIRST_DUE, "past_due")
    booked = db_client.post(f"/accounts/{account_id}/plans", data=terms, follow_redirects=False)
    assert booked.status_code == 303 and "arranged=plan" in booked.headers["location"]
    (plan,) = _rows(db_wb, installment_plans, account_id)
    assert (plan["status"], plan["months"]) == ("active", 6)
    assert ("plan.agreed", "collector") in _actions(db_wb, account_id)
    page = db_client.get(booked.headers["location"]).text
    assert 'id="arranged-notice"' in page and "分期已签订并生效" in page and plan["plan_id"] in page


def _cli() -> Any:
    from arrears.entrypoints.cli.main import app

    return app


def test_a_settlement_beyond_a_collectors_authority_waits_and_a_team_lead_approves_it(
        db_client: TestClient, db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    asked = db_client.post(f"/accounts/{account_id}/settlements", follow_redirects=False, data={
        "csrf_token": csrf, "discount": "20", "first_due": "2026-12-20", "payments": "1", "note": "客户失业，一次结清"})
    assert asked.status_code == 303, asked.text
    approval_id = re.search(r"pending=(AP-\w+)", asked.headers["location"]).group(1)  # type: ignore[union-attr]
    assert _rows(db_wb, settlements, account_id) == []  # nothing booked while it waits
    page = db_client.get(asked.headers["location"]).text
    waiting = page.split(f'id="pending-{approval_id}"')[1].split("</div>")[0]
    assert "超出您的审批权限" in waiting and "组长" in waiting and "减免 20%" in waiting

    own = db_client.post(f"/approvals/{approval_id}/approve", data={"csrf_token": csrf})
    assert own.status_code == 403 and "提交人不能审批自己的申请" in own.text  # maker–checker
    assert f'id="approval-{approval_id}"' not in own.text  # not offered to its maker

    csrf = _login(db_client, "lead")
    inbox = db_client.get("/approvals")
    request = inbox.text.split(f'id="approval-{approval_id}"')[1].split("</article>")[0]
    assert account_id in request and '<strong class="maker">collector</strong>' in request
    assert "减免 20%" in request and "客户失业，一次结清" in request
    assert "结清减免比例 20% 超出催收员的审批上限 10%，需上级审批" in request
    english = db_client.get("/approvals?lang=en").text.split(f'id="approval-{approval_id}"')[1]
    assert "discount 20%" in english and "above the collector limit" in english and "Team lead" in english
    approved = db_client.post(f"/approvals/{approval_id}/approve", data={"csrf_token": csrf, "note": "同意"},
                              follow_redirects=False)
    assert approved.status_code == 303, approved.text
    (offer,) = _rows(db_wb, settlements, account_id)
    assert (offer["status"], offer["approved_by"]) == ("offered", "lead")
    (stored,) = _rows(db_wb, approval_requests, account_id)
    assert (stored["status"], stored["decided_by"]) == ("approved", "lead")
    assert [a for a in _actions(db_wb, account_id) if a[0] != "ledger.opened"] == [
        ("approval.requested", "collector"), ("settlement.offered", "collector"), ("approval.approved", "lead")]
    assert f'id="approval-{approval_id}"' not in db_client.get("/approvals").text


def test_a_rejected_request_books_nothing_and_needs_a_reason(db_client: TestClient, db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    asked = db_client.post(f"/accounts/{account_id}/extensions", follow_redirects=False, data={
        "csrf_token": csrf, "original_due": "2026-12-15", "new_due": "2027-01-10"})  # 26 days: above 15
    approval_id = re.search(r"pending=(AP-\w+)", asked.headers["location"]).group(1)  # type: ignore[union-attr]
    csrf = _login(db_client, "lead")
    blank = db_client.post(f"/approvals/{approval_id}/reject", data={"csrf_token": csrf, "reason": " "})
    assert blank.status_code == 422 and "驳回须说明原因" in blank.text
    rejected = db_client.post(f"/approvals/{approval_id}/reject", data={"csrf_token": csrf, "reason": "无证明材料"},
                              follow_redirects=False)
    assert rejected.status_code == 303
    assert _rows(db_wb, extensions, account_id) == []
    assert ("approval.rejected", "lead") in _actions(db_wb, account_id)


def test_an_extension_within_authority_hardship_help_and_a_referral_are_booked_from_the_page(
        db_client: TestClient, db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    posts = {
        "extensions": {"original_due": "2026-12-15", "new_due": "2026-12-25"},
        "hardship": {"kind": "interest_freeze", "start": "2026-11-29", "end": "2027-02-28", "review_on": "2027-01-31",
                     "reason": "住院"},
        "referrals": {"organisation_id": "CN-NFRA-12378", "consent": "1"},
    }
    for path, data in posts.items():
        reply = db_client.post(f"/accounts/{account_id}/{path}", data={"csrf_token": csrf, **data},
                               follow_redirects=False)
        assert reply.status_code == 303 and "arranged=" in reply.headers["location"], (path, reply.text[:2000])
    assert [(e["original_due"].isoformat(), e["new_due"].isoformat()) for e in _rows(db_wb, extensions, account_id)] \
        == [("2026-12-15", "2026-12-25")]
    assert [h["kind"] for h in _rows(db_wb, hardship_programmes, account_id)] == ["interest_freeze"]
    assert [r["organisation_id"] for r in _rows(db_wb, counselling_referrals, account_id)] == ["CN-NFRA-12378"]
    actions = _actions(db_wb, account_id)
    for action in ("extension.granted", "hardship.enrolled", "counselling.referred"):
        assert (action, "collector") in actions
    page = db_client.get(f"/accounts/{account_id}").text
    assert 'id="extensions"' in page and "停息" in page and 'id="referrals"' in page


def test_payments_are_posted_as_the_page_writes_amounts_and_the_same_form_twice_posts_once(
        db_client: TestClient, db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    page = db_client.get(f"/accounts/{account_id}").text
    payment_id = re.search(r'name="payment_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "amount": "1,500.00", "paid_at": "2026-11-29T09:30", "channel": "wechat",
            "payment_id": payment_id}
    first = db_client.post(f"/accounts/{account_id}/payments", data=form, follow_redirects=False)
    assert first.status_code == 303 and "arranged=payment" in first.headers["location"]
    again = db_client.post(f"/accounts/{account_id}/payments", data=form, follow_redirects=False)
    assert "again=1" in again.headers["location"]
    yuan = db_client.post(f"/accounts/{account_id}/payments", follow_redirects=False, data={
        **form, "amount": "1500元", "payment_id": "PAY-SECOND"})
    assert yuan.status_code == 303
    posted = sorted((p["payment_id"], p["amount_cents"]) for p in _rows(db_wb, ledger_payments, account_id))
    assert posted == sorted([(payment_id, 150_000), ("PAY-SECOND", 150_000)])
    assert _actions(db_wb, account_id).count(("payment.posted", "collector")) == 2
    shown = db_client.get(f"/accounts/{account_id}").text.split('id="ledger-payments"')[1].split("</table>")[0]
    assert shown.count("1,500.00") == 2 and "微信支付" in shown


def test_a_refused_settlement_comes_back_with_every_typed_field(db_client: TestClient, db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    typed = {"discount": "80", "first_due": "2026-12-20", "payments": "2", "note": "客户只能还两成"}
    refused = db_client.post(f"/accounts/{account_id}/settlements", data={"csrf_token": csrf, **typed})
    assert refused.status_code == 422
    assert 'id="arr-settlement" open' in refused.text
    assert "ARR-SETTLE-01" in refused.text.split('id="arr-error"')[1].split("</p>")[0]
    form = _form(refused.text, "settlement-form")
    assert 'value="80"' in form and 'value="2026-12-20"' in form and 'value="2"' in form
    assert "客户只能还两成</textarea>" in form
    assert re.search(r'id="settlement-discount"[^>]*aria-invalid="true"', form)
    assert _rows(db_wb, settlements, account_id) == [] and _rows(db_wb, approval_requests, account_id) == []

    quote = {"months": "99", "first_due": "2026-12-15", "basis": "past_due", "monthly_fee_rate": "0.6"}
    htmx = db_client.post(f"/accounts/{account_id}/plans/quote", data={"csrf_token": csrf, **quote},
                          headers={"HX-Request": "true"})  # HTMX swaps what answers 200: the form and its error
    assert htmx.status_code == 200 and "期数须为 1 到 60 的整数" in htmx.text
    form = _form(htmx.text, "plan-form")
    assert 'value="99"' in form and 'value="0.6"' in form and 'id="plan-agree"' not in htmx.text

    payment = {"amount": "一千五", "paid_at": "2026-11-29T09:30", "channel": "alipay", "payment_id": "PAY-X"}
    wrong = db_client.post(f"/accounts/{account_id}/payments", data={"csrf_token": csrf, **payment})
    assert wrong.status_code == 422 and "不是金额" in wrong.text
    form = _form(wrong.text, "payment-form")
    assert 'value="一千五"' in form and 'value="PAY-X"' in form and re.search(r'value="alipay"[^>]*selected', form)


def test_arrangement_forms_need_the_session_token_and_an_account_in_scope(db_client: TestClient,
                                                                          db_wb: Workbench) -> None:
    account_id, _ = _account(db_wb)
    csrf = _login(db_client, "collector")
    data = {"original_due": "2026-12-15", "new_due": "2026-12-20"}
    forged = db_client.post(f"/accounts/{account_id}/extensions", data={"csrf_token": "forged", **data})
    assert forged.status_code == 403
    csrf = _login(db_client, "agency1")
    assert db_client.post(f"/accounts/{account_id}/extensions", data={"csrf_token": csrf, **data}).status_code == 404
    csrf = _login(db_client, "auditor")
    assert db_client.get("/approvals").status_code == 403
    assert db_client.post(f"/accounts/{account_id}/extensions", data={"csrf_token": csrf, **data}).status_code == 403
    assert _rows(db_wb, extensions, account_id) == []
