"""What comes back, through HTTP on SQLite and PostgreSQL: receipts complete the attempt, an
undeliverable number is marked invalid, opt-out words opt the number out at once, other replies
become an inbound contact and a follow-up; the callback token is required; unknown ids are 404."""

from __future__ import annotations

from datetime import date

import pytest
from outreach_support import BEARER, CIPHER, DAY, dispatched
from sqlalchemy import func, insert, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.outreach_tables import inbound_messages, outbox_messages
from arrears.adapters.storage.workbench_tables import follow_ups, work_items
from arrears.services.contact_gate import SqlContactGate
from arrears.services.workbench import service_tokens
from arrears.services.workbench.context import Workbench

DAYTIME = f"{DAY}T11:00:00+08:00"
AT = f"{DAY}T11:05:00+08:00"


def _sent(world, gateway, n: int = 2) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Send n SMS; (provider id, attempt id, contact point id) of each."""
    gateway()
    assert dispatched(world.plan(world.sms(n)), DAYTIME)["sent"] == n
    o = outbox_messages.c
    with world.engine.connect() as connection:
        rows = connection.execute(select(o.provider_id, o.attempt_id, o.contact_point_id)
                                  .order_by(o.account_id)).all()
    return [tuple(r) for r in rows]


def _snapshot(engine) -> tuple:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return (
            connection.execute(select(contact_attempts.c.attempt_id, contact_attempts.c.outcome)
                               .order_by(contact_attempts.c.attempt_id)).all(),
            connection.execute(select(t.contact_points.c.contact_point_id, t.contact_points.c.status,
                                      t.contact_points.c.do_not_contact)
                               .order_by(t.contact_points.c.contact_point_id)).all(),
            connection.execute(select(func.count()).select_from(t.contacts)).scalar_one(),
            connection.execute(select(func.count()).select_from(inbound_messages)).scalar_one(),
        )


def test_a_delivery_receipt_completes_the_attempt_in_the_ledger(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    (provider_id, attempt_id, _), _ = _sent(world, gateway)
    reply = api.post("/v1/outreach/sms/receipts", headers=BEARER,
                     json={"provider_id": provider_id, "status": "delivered", "at": AT})
    assert reply.status_code == 200, reply.text
    with world.engine.connect() as connection:
        outcome = connection.execute(select(contact_attempts.c.outcome)
                                     .where(contact_attempts.c.attempt_id == attempt_id)).scalar_one()
        delivery = connection.execute(select(outbox_messages.c.delivery)
                                      .where(outbox_messages.c.provider_id == provider_id)).scalar_one()
    assert (outcome, delivery) == ("delivered", "delivered")


def test_an_undeliverable_receipt_marks_the_number_invalid_for_future_plans(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    _, (provider_id, attempt_id, point) = _sent(world, gateway)
    reply = api.post("/v1/outreach/sms/receipts", headers=BEARER,
                     json={"provider_id": provider_id, "status": "undeliverable", "at": AT})
    assert reply.status_code == 200, reply.text
    with world.engine.connect() as connection:
        status = connection.execute(select(t.contact_points.c.status)
                                    .where(t.contact_points.c.contact_point_id == point)).scalar_one()
        outcome = connection.execute(select(contact_attempts.c.outcome)
                                     .where(contact_attempts.c.attempt_id == attempt_id)).scalar_one()
    assert status == "invalid" and outcome == "bounced"


def test_an_unknown_provider_id_is_404_and_changes_nothing(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    _sent(world, gateway)
    before = _snapshot(world.engine)
    reply = api.post("/v1/outreach/sms/receipts", headers=BEARER,
                     json={"provider_id": "p-unknown", "status": "undeliverable", "at": AT})
    assert reply.status_code == 404
    assert _snapshot(world.engine) == before


@pytest.mark.parametrize("path", ["/v1/outreach/sms/receipts", "/v1/outreach/sms/inbound"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}])
def test_the_callback_endpoints_answer_401_without_the_token(world, api, path, headers) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot(world.engine)
    body = {"provider_id": "p-1", "status": "delivered", "at": AT} if path.endswith("receipts") else \
        {"from": world.mobiles[0]["number"], "text": "TD", "at": AT}
    assert api.post(path, headers=headers, json=body).status_code == 401
    assert _snapshot(world.engine) == before


def test_a_service_token_with_the_outreach_scope_is_accepted_too(world, api) -> None:  # type: ignore[no-untyped-def]
    wb = Workbench(engine=world.engine, cipher=CIPHER, gate=SqlContactGate(world.engine))
    made = service_tokens.issue(wb, service_tokens.Actor(operator="ops"), "sms-gateway", ["outreach:callback"])
    other = service_tokens.issue(wb, service_tokens.Actor(operator="ops"), "dialer", ["dialer"])
    body = {"from": world.mobiles[0]["number"], "text": "STOP", "at": AT}
    assert api.post("/v1/outreach/sms/inbound", json=body,
                    headers={"Authorization": f"Bearer {other.token}"}).status_code == 403
    answer = api.post("/v1/outreach/sms/inbound", json=body, headers={"Authorization": f"Bearer {made.token}"})
    assert answer.status_code == 200 and answer.json()["effect"] == "opt_out"


@pytest.mark.parametrize("word", ["TD", "t", " 退订 ", "Stop", "unsubscribe", "取消", "ＴＤ"])
def test_each_opt_out_word_opts_the_number_out_at_once(world, api, word) -> None:  # type: ignore[no-untyped-def]
    who = world.mobiles[0]
    reply = api.post("/v1/outreach/sms/inbound", headers=BEARER, json={"from": who["number"], "text": word, "at": AT})
    assert reply.status_code == 200 and reply.json()["effect"] == "opt_out"
    with world.engine.connect() as connection:
        opted = connection.execute(select(t.contact_points.c.do_not_contact)
                                   .where(t.contact_points.c.contact_point_id == who["point"])).scalar_one()
    assert opted is True


def test_another_reply_is_an_inbound_contact_and_a_follow_up_for_the_collector(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    _sent(world, gateway, 1)
    who = world.mobiles[0]
    with world.engine.begin() as connection:
        connection.execute(insert(work_items).values(queue_date=date(2026, 11, 30), account_id=who["account"],
                                                     priority=1, reason="test", status="assigned",
                                                     assigned_to="U-collector-7"))
    national = who["number"].removeprefix("+86")  # the gateway may give the number in national form
    reply = api.post("/v1/outreach/sms/inbound", headers=BEARER,
                     json={"from": national, "text": "我下周五还款", "at": AT})
    assert reply.status_code == 200, reply.text
    assert reply.json()["effect"] == "reply" and reply.json()["account_id"] == who["account"]
    with world.engine.connect() as connection:
        contact = connection.execute(select(t.contacts.c.direction, t.contacts.c.channel, t.contacts.c.account_id)
                                     .where(t.contacts.c.contact_id.like("IN-%"))).one()
        follow = connection.execute(select(follow_ups.c.owner_user_id, follow_ups.c.note_enc,
                                           follow_ups.c.account_id)).one()
        kept = connection.execute(select(inbound_messages.c.text_enc)).scalar_one()
        opted = connection.execute(select(t.contact_points.c.do_not_contact)
                                   .where(t.contact_points.c.contact_point_id == who["point"])).scalar_one()
    assert tuple(contact) == ("inbound", "sms", who["account"])
    assert follow.owner_user_id == "U-collector-7" and follow.account_id == who["account"]
    assert "我下周五还款" in CIPHER.decrypt(follow.note_enc)
    assert CIPHER.decrypt(kept) == "我下周五还款"  # stored encrypted
    assert opted is False


def test_a_reply_from_an_unknown_number_is_404_and_changes_nothing(world, api) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot(world.engine)
    reply = api.post("/v1/outreach/sms/inbound", headers=BEARER,
                     json={"from": "+8613000000001", "text": "TD", "at": AT})
    assert reply.status_code == 404
    assert _snapshot(world.engine) == before
