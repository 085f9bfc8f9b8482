"""/v1/cases for the collections team and /v1/payments/notify for payment providers, over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from workbench_support import AS_OF_NOON, CIPHER, FakeGate, account_of_agency, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.arrangements_tables import ledger_payments
from arrears.bootstrap import cases_uow, ingested_portfolio, payments_in_uow
from arrears.domain.cases import Upload
from arrears.services.arrangements.payment_notices import payment_reference
from arrears.services.cases import Actor, AskHardshipHelp, RaiseDispute, ask_hardship_help, raise_dispute
from arrears.services.workbench.context import Workbench

PDF = b"%PDF-1.4\n" + b"statement " * 100
PAID_AT = "2026-11-29T09:30:00+08:00"


def _dispute(wb: Workbench, account_id: str, text: str = "I did not buy this") -> str:
    case = raise_dispute(cases_uow(wb.engine, wb.cipher), RaiseDispute(account_id, text),
                         actor=Actor.customer(account_id), now=wb.now())
    return case.case_id


def _token(client: TestClient, *scopes: str) -> dict[str, str]:
    reply = client.post("/v1/service-tokens", json={"name": "psp-1", "scopes": list(scopes)},
                        headers=bearer(client, "admin"))
    assert reply.status_code == 201, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _reference(wb: Workbench, account_id: str) -> str:
    return payment_reference(payments_in_uow(wb.engine), ingested_portfolio(wb.engine), account_id,
                             keyed_hash=wb.cipher.lookup_hash, now=wb.now())


def _notice(ref: str, **changes: object) -> dict[str, object]:
    return {"provider": "bank_transfer", "transaction_id": "TX-0001", "reference": ref, "amount": "150.00",
            "currency": "CNY", "paid_at": PAID_AT, **changes}


def _user_id(wb: Workbench, username: str) -> str:
    from arrears.adapters.storage.workbench_tables import users

    with wb.engine.connect() as connection:
        return connection.execute(select(users.c.user_id).where(users.c.username == username)).scalar_one()


# --- cases -------------------------------------------------------------------------------------
def test_a_team_lead_lists_cases_and_sees_the_dispute_holding_the_account(client: TestClient, wb: Workbench):
    account = account_of_agency(wb.engine, None)
    case_id = _dispute(wb, account)
    reply = client.get("/v1/cases?live=true", headers=bearer(client, "lead"))
    assert reply.status_code == 200, reply.text
    (row,) = reply.json()
    assert (row["case_id"], row["kind"], row["status"], row["holds_collection"], row["due_rule"]) == (
        case_id, "dispute", "open", True, "CASE-DUE-CN-DISPUTE")
    assert row["raised_by"] == "customer" and row["due_on"] == "2026-12-14"


def test_a_case_is_taken_and_resolved_over_http_and_a_closed_case_cannot_be_resolved_again(client, wb):
    case_id = _dispute(wb, account_of_agency(wb.engine, None))
    lead = bearer(client, "lead")
    taken = client.post(f"/v1/cases/{case_id}/take", headers=lead)
    assert taken.status_code == 200 and taken.json()["status"] == "in_progress"
    done = client.post(f"/v1/cases/{case_id}/resolve", json={"outcome": "resolved", "resolution": "refunded"},
                       headers=lead)
    assert done.status_code == 200 and done.json()["holds_collection"] is False
    again = client.post(f"/v1/cases/{case_id}/resolve", json={"outcome": "rejected", "resolution": "x"},
                        headers=lead)
    assert again.status_code == 422 and again.json()["error"]["field"] == "status"


def test_roles_without_case_permissions_are_refused_and_agency_users_see_only_their_accounts(client, wb):
    in_house = _dispute(wb, account_of_agency(wb.engine, None))
    placed = _dispute(wb, account_of_agency(wb.engine, "AG01"))
    assert client.get("/v1/cases", headers=bearer(client, "strategist")).status_code == 403
    assert client.post(f"/v1/cases/{in_house}/take", headers=bearer(client, "auditor")).status_code == 403
    agency = bearer(client, "agency1_lead")
    assert [c["case_id"] for c in client.get("/v1/cases", headers=agency).json()] == [placed]
    assert client.get(f"/v1/cases/{in_house}", headers=agency).status_code == 404
    assert client.get("/v1/cases").status_code == 401


def test_a_staff_user_records_a_complaint_and_assigns_it(client, wb):
    account = account_of_agency(wb.engine, None)
    made = client.post(f"/v1/accounts/{account}/cases", json={"kind": "complaint", "text": "rude caller"},
                       headers=bearer(client, "collector"))
    assert made.status_code == 201, made.text
    assert made.json()["raised_by"] == "staff" and made.json()["due_rule"] == "CASE-DUE-CN-COMPLAINT"
    collector2 = {"user_id": _user_id(wb, "collector2")}
    moved = client.post(f"/v1/cases/{made.json()['case_id']}/assign",
                        json={"owner_user_id": collector2["user_id"]}, headers=bearer(client, "compliance"))
    assert moved.status_code == 200 and moved.json()["owner_user_id"] == collector2["user_id"]
    refused = client.post(f"/v1/cases/{made.json()['case_id']}/assign",
                          json={"owner_user_id": collector2["user_id"]}, headers=bearer(client, "collector"))
    assert refused.status_code == 403


def test_a_hardship_file_downloads_for_a_team_lead_as_an_attachment_and_not_for_an_auditor(client, wb):
    account = account_of_agency(wb.engine, None)
    case = ask_hardship_help(cases_uow(wb.engine, wb.cipher), AskHardshipHelp(
        account, "lost my job", (Upload("p.pdf", PDF),)), actor=Actor.customer(account), now=wb.now())
    detail = client.get(f"/v1/cases/{case.case_id}", headers=bearer(client, "lead")).json()
    file_id = detail["files"][0]["file_id"]
    got = client.get(f"/v1/cases/{case.case_id}/files/{file_id}", headers=bearer(client, "lead"))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/v1/cases/{case.case_id}/files/{file_id}",
                      headers=bearer(client, "auditor")).status_code == 403


# --- payments in ----------------------------------------------------------------------------------
def test_a_notice_posts_once_and_the_second_answers_already_posted(client, wb):
    account = account_of_agency(wb.engine, None)
    token, reference = _token(client, "payments:notify"), _reference(wb, account)
    first = client.post("/v1/payments/notify", json=_notice(reference), headers=token)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "posted" and first.json()["amount"] == "150.00"
    second = client.post("/v1/payments/notify", json=_notice(reference), headers=token)
    assert second.status_code == 200 and second.json()["status"] == "already_posted"
    assert second.json()["payment_id"] == first.json()["payment_id"]
    payments = client.get(f"/v1/accounts/{account}/arrangements", headers=bearer(client, "lead"))
    assert payments.status_code == 200


def test_a_notice_needs_a_service_token_with_the_payments_scope(client, wb):
    reference = _reference(wb, account_of_agency(wb.engine, None))
    assert client.post("/v1/payments/notify", json=_notice(reference)).status_code == 401
    assert client.post("/v1/payments/notify", json=_notice(reference),
                       headers=bearer(client, "admin")).status_code == 401
    other = _token(client, "dialer")
    assert client.post("/v1/payments/notify", json=_notice(reference), headers=other).status_code == 403


def test_a_notice_refuses_float_negative_and_unknown_references_naming_the_field(client, wb):
    token, reference = _token(client, "payments:notify"), _reference(wb, account_of_agency(wb.engine, None))
    cases = [({"amount": 150.0}, 422, "body.amount"), ({"amount": "-5.00"}, 422, "body.amount"),
             ({"amount": "0"}, 422, "body.amount"), ({"amount": "1.005"}, 422, "body.amount"),
             ({"reference": reference[:-1] + ("1" if reference[-1] != "1" else "2")}, 422, "body.reference"),
             ({"reference": "RF18539007547034"}, 404, "body.reference"),
             ({"paid_at": "2026-11-29T09:30:00"}, 422, "body.paid_at")]
    for change, code, field in cases:
        reply = client.post("/v1/payments/notify", json=_notice(reference, **change), headers=token)
        assert (reply.status_code, reply.json()["error"]["field"]) == (code, field), (change, reply.text)


def test_two_identical_notices_at_once_post_one_payment_on_both_databases(loaded_db: Engine):
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    engine = loaded_db
    wb = Workbench(engine=engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))
    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app) as client:
        token, reference = _token(client, "payments:notify"), _reference(wb, account_of_agency(engine, None))
        start = Barrier(2)

        def send(_: int) -> tuple[int, str]:
            start.wait()
            reply = client.post("/v1/payments/notify", json=_notice(reference), headers=token)
            return reply.status_code, reply.json().get("status", reply.text)

        with ThreadPoolExecutor(2) as pool:
            answers = sorted(pool.map(send, range(2)))
    assert answers == [(200, "already_posted"), (201, "posted")]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ledger_payments)).scalar_one() == 1
