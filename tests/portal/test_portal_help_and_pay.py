"""The customer's page asks for help and shows how to pay (self-service-v1): a dispute becomes a
case and holds collection at the gate, a hardship request with files checked by content becomes a
case with its files stored encrypted, and the pay section shows the payment reference and its QR
code when a payment account is configured."""

from __future__ import annotations

import pytest
from portal_support import account_with_mobile, token_of, verified
from sqlalchemy import select

from arrears.adapters.storage.cases_tables import case_files, cases
from arrears.services.portal.links import create_link

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _open(client, portal, engine, sender):  # type: ignore[no-untyped-def]
    account = account_with_mobile(engine)["account_id"]
    token = token_of(create_link(portal, account, created_by="test"))
    return account, token, verified(client, token, sender)


def test_a_dispute_becomes_a_case_for_the_team_and_holds_collection(site, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = site
    account, token, csrf = _open(client, portal, engine, sender)
    reply = client.post(f"/p/{token}/dispute", data={"text": "这笔消费不是我本人所为", "csrf_token": csrf},
                        follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].endswith("?done=dispute")
    assert "核实期间" in client.get(reply.headers["location"]).text or "暂停催收" in client.get(
        reply.headers["location"]).text
    with engine.connect() as c:
        found = c.execute(select(cases.c.kind, cases.c.status, cases.c.raised_by, cases.c.text_enc)
                          .where(cases.c.account_id == account)).all()
    assert [(k, s, r) for k, s, r, _ in found] == [("dispute", "open", "customer")]
    assert "本人".encode() not in found[0][3]  # stored encrypted


def test_an_empty_dispute_is_refused_on_the_page(quick, sender) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    _account, token, csrf = _open(client, portal, engine, sender)
    assert client.post(f"/p/{token}/dispute", data={"text": " ", "csrf_token": csrf}).status_code == 422


def test_a_hardship_request_keeps_its_files_encrypted_and_refuses_a_file_that_is_not_what_it_says(  # type: ignore[no-untyped-def]
        quick, sender) -> None:
    client, portal, engine = quick
    account, token, csrf = _open(client, portal, engine, sender)
    sent = client.post(f"/p/{token}/hardship", data={"text": "失业三个月，申请延期", "csrf_token": csrf},
                       files=[("files", ("证明.pdf", PDF, "application/pdf"))], follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=hardship")
    with engine.connect() as c:
        kinds = c.execute(select(cases.c.kind).where(cases.c.account_id == account)).scalars().all()
        stored = c.execute(select(case_files.c.kind, case_files.c.content_enc)).all()
    assert kinds == ["hardship"] and stored[0][0] == "pdf" and b"%PDF" not in stored[0][1]
    fake = client.post(f"/p/{token}/hardship", data={"text": "再次申请", "csrf_token": csrf},
                       files=[("files", ("photo.png", b"MZ\x90\x00 not a picture", "image/png"))])
    assert fake.status_code == 422


def test_without_a_verified_session_help_forms_go_back_to_the_start(quick) -> None:  # type: ignore[no-untyped-def]
    client, portal, engine = quick
    token = token_of(create_link(portal, account_with_mobile(engine)["account_id"], created_by="test"))
    assert client.post(f"/p/{token}/dispute", data={"text": "x", "csrf_token": "x"},
                       follow_redirects=False).status_code == 303


def test_the_pay_section_shows_the_reference_and_its_qr_code_when_an_account_is_configured(  # type: ignore[no-untyped-def]
        quick, sender, monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.settings import get_settings

    client, portal, engine = quick
    _account, token, _csrf = _open(client, portal, engine, sender)
    assert 'id="pay"' not in client.get(f"/p/{token}").text  # no payment account configured
    monkeypatch.setenv("ARREARS_PAYMENT_ACCOUNT", "6222 0000 1111 2222")
    get_settings.cache_clear()
    try:
        page = client.get(f"/p/{token}").text
    finally:
        get_settings.cache_clear()
    assert 'id="pay-reference"' in page and "RF" in page and "<svg" in page
