"""E-mail bounces end to end, on SQLite and PostgreSQL: e-mails go out through a real SMTP server
(aiosmtpd), the mail server's delivery status notifications come back in a bounce mailbox that
`arrears outreach bounces` reads, or a mail provider posts them to /v1/outreach/email/bounce (the
callback token or a service token with the outreach:callback scope). A hard bounce completes the
attempt as bounced and makes the address invalid: the next dispatch sends nothing there. Reading
the mailbox again changes nothing."""

from __future__ import annotations

import json
import mailbox

import pytest
from outreach_support import BEARER, CIPHER, DAY, arrears, dispatched
from sqlalchemy import select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.outreach_tables import outbox_messages
from arrears.services.contact_gate import SqlContactGate
from arrears.services.outreach.dispatch import INVALID_ADDRESS
from arrears.services.workbench import service_tokens
from arrears.services.workbench.context import Workbench
from arrears.settings import get_settings
from dsn_samples import mailbox_full, out_of_office, postfix_hard, write_mbox

DAYTIME = f"{DAY}T11:00:00+08:00"
NEXT_DAY, NEXT_DAYTIME = "2026-12-01T10:00:00+08:00", "2026-12-01T11:00:00+08:00"
AT = f"{DAY}T11:05:00+08:00"
o, p, a = outbox_messages.c, t.contact_points.c, contact_attempts.c


def _sent(world, smtp_server, n: int = 2) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """n e-mails sent: each one's Message-ID as the server got it (without <>), its outbox message id,
    address and contact point."""
    report = dispatched(world.plan(world.email(n)), DAYTIME)
    if report["sent"] != n:
        with world.engine.connect() as connection:
            rows = connection.execute(select(o.message_id, o.delivery, o.reason)).all()
        raise AssertionError(f"{report}: {rows}")
    by_address = {r["number"]: r for r in world.emails[:n]}
    sent = []
    for got in smtp_server.received:
        address = got["mail"]["To"].addresses[0].addr_spec
        message_id = str(got["mail"]["Message-ID"])
        sent.append({"message_id": message_id.strip("<>"), "id": message_id.strip("<>").removesuffix("@arrears"),
                     "address": address, "point": by_address[address]["point"]})
    return sorted(sent, key=lambda s: s["point"])


def _state(world, message_id: str, point: str) -> tuple[str | None, str | None, str | None]:  # type: ignore[no-untyped-def]
    """(the attempt's outcome in the ledger, the outbox delivery, the contact point's status)."""
    with world.engine.connect() as connection:
        row = connection.execute(select(o.attempt_id, o.delivery).where(o.message_id == message_id)).one()
        outcome = connection.execute(select(a.outcome).where(a.attempt_id == row.attempt_id)).scalar_one()
        status = connection.execute(select(p.status).where(p.contact_point_id == point)).scalar_one()
    return outcome, row.delivery, status


def _snapshot(world) -> tuple:  # type: ignore[no-untyped-def]
    with world.engine.connect() as connection:
        return (connection.execute(select(a.attempt_id, a.outcome).order_by(a.attempt_id)).all(),
                connection.execute(select(o.message_id, o.delivery, o.reason).order_by(o.message_id)).all(),
                connection.execute(select(p.contact_point_id, p.status).order_by(p.contact_point_id)).all())


def _bounces(*args: str) -> dict[str, int]:
    result = arrears("outreach", "bounces", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_hard_bounce_read_from_the_mailbox_stops_the_next_dispatch_to_that_address(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    bounced, kept = _sent(world, smtp_server)
    box = write_mbox(world.tmp / "bounces.mbox", [out_of_office(bounced["address"]),
                                                  postfix_hard(bounced["message_id"], bounced["address"])])
    counts = _bounces("--mbox", str(box))
    assert counts == {"hard": 1, "soft": 0, "already_recorded": 0, "unknown": 0, "not_bounces": 1,
                      "addresses_invalid": 1}
    assert _state(world, bounced["id"], bounced["point"]) == ("bounced", "bounced", "invalid")
    assert _state(world, kept["id"], kept["point"])[:2] == (None, None) and _status(world, kept) != "invalid"

    before = _snapshot(world)
    assert _bounces("--mbox", str(box))["already_recorded"] == 1  # the same mailbox again
    assert _snapshot(world) == before

    received = len(smtp_server.received)
    later = world.email(2, at=NEXT_DAY)
    counts = dispatched(world.plan(later, "next.csv"), NEXT_DAYTIME)
    assert (counts["sent"], counts["denied"]) == (1, 1), counts
    assert [m["To"].addresses[0].addr_spec for m in (g["mail"] for g in smtp_server.received[received:])] == \
        [kept["address"]]
    with world.engine.connect() as connection:
        rules = connection.execute(select(o.rules).where(o.contact_point_id == bounced["point"],
                                                         o.state == "denied")).scalar_one()
    assert rules == INVALID_ADDRESS


def test_soft_bounces_in_a_maildir_make_the_address_invalid_at_the_limit(world, smtp_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARREARS_EMAIL_SOFT_BOUNCE_LIMIT", "2")
    get_settings.cache_clear()
    first, other = _sent(world, smtp_server)
    assert dispatched(world.plan(world.email(2, at=NEXT_DAY), "next.csv"), NEXT_DAYTIME)["sent"] == 2
    second = next(s for s in _sent_since(world, smtp_server, 2) if s["point"] == first["point"])
    folder = mailbox.Maildir(world.tmp / "Maildir", create=True)
    folder.add(mailbox_full(first["message_id"], first["address"]))
    folder.add(mailbox_full(other["message_id"], other["address"], action="delayed", status="4.4.7"))
    assert _bounces("--maildir", str(world.tmp / "Maildir"))["soft"] == 1
    assert _state(world, first["id"], first["point"])[:2] == ("bounced", "soft_bounced")
    assert _status(world, first) != "invalid"  # one soft bounce: below the limit of 2
    folder.add(mailbox_full(second["message_id"], second["address"]))
    counts = _bounces("--maildir", str(world.tmp / "Maildir"))
    assert (counts["soft"], counts["already_recorded"], counts["addresses_invalid"]) == (1, 1, 1)
    assert _status(world, first) == "invalid" and _status(world, other) != "invalid"


def _sent_since(world, smtp_server, n: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    by_address = {r["number"]: r for r in world.emails}
    out = []
    for got in smtp_server.received[-n:]:
        address, message_id = got["mail"]["To"].addresses[0].addr_spec, str(got["mail"]["Message-ID"])
        out.append({"message_id": message_id.strip("<>"), "id": message_id.strip("<>").removesuffix("@arrears"),
                    "address": address, "point": by_address[address]["point"]})
    return out


def _status(world, sent: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    with world.engine.connect() as connection:
        return connection.execute(select(p.status).where(p.contact_point_id == sent["point"])).scalar_one()


def test_a_missing_mailbox_exits_2_naming_it(world) -> None:  # type: ignore[no-untyped-def]
    result = arrears("outreach", "bounces", "--mbox", str(world.tmp / "nope.mbox"))
    assert result.exit_code == 2 and "nope.mbox" in result.output
    assert arrears("outreach", "bounces").exit_code == 2  # no mailbox named


def _service_token(world, *scopes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    wb = Workbench(engine=world.engine, cipher=CIPHER, gate=SqlContactGate(world.engine))
    made = service_tokens.issue(wb, service_tokens.Actor(operator="ops"), f"mail-{'-'.join(scopes)}", list(scopes))
    return {"Authorization": f"Bearer {made.token}"}


def test_the_webhook_records_a_hard_bounce_by_the_message_id_with_a_service_token(world, smtp_server, api) -> None:  # type: ignore[no-untyped-def]
    bounced, _ = _sent(world, smtp_server)
    reply = api.post("/v1/outreach/email/bounce", headers=_service_token(world, "outreach:callback"),
                     json={"provider_id": bounced["message_id"], "status": "hard", "at": AT,
                           "reason": f"550 5.1.1 <{bounced['address']}>: user unknown", "event": "bounce"})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"message_id": bounced["id"], "bounce": "hard", "changed": True, "ledger": True,
                            "address_invalid": True}
    assert _state(world, bounced["id"], bounced["point"]) == ("bounced", "bounced", "invalid")
    with world.engine.connect() as connection:
        reason = connection.execute(select(o.reason).where(o.message_id == bounced["id"])).scalar_one()
    assert reason == "bounce: hard 550 5.1.1 <address>: user unknown"  # the address is not kept


def test_the_webhook_takes_the_outbox_message_id_and_a_bounce_heard_twice_counts_once(world, smtp_server, api) -> None:  # type: ignore[no-untyped-def]
    bounced, _ = _sent(world, smtp_server)
    body = {"message_id": bounced["id"], "status": "soft", "at": AT}
    first = api.post("/v1/outreach/email/bounce", headers=BEARER, json=body)
    assert first.status_code == 200 and first.json()["address_invalid"] is False
    before = _snapshot(world)
    again = api.post("/v1/outreach/email/bounce", headers=BEARER, json=body)
    assert again.status_code == 200 and again.json()["changed"] is False
    assert _snapshot(world) == before


@pytest.mark.parametrize("body", [
    {"message_id": "m-unknown", "status": "hard", "at": AT},
    {"provider_id": "<m-unknown@arrears>", "status": "hard", "at": AT},
])
def test_the_webhook_answers_404_for_an_unknown_e_mail_and_changes_nothing(world, smtp_server, api, body) -> None:  # type: ignore[no-untyped-def]
    _sent(world, smtp_server)
    before = _snapshot(world)
    assert api.post("/v1/outreach/email/bounce", headers=BEARER, json=body).status_code == 404
    assert _snapshot(world) == before


def test_the_webhook_refuses_without_a_token_with_another_scope_or_without_the_message(world, api) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot(world)
    body = {"message_id": "m-1", "status": "hard", "at": AT}
    assert api.post("/v1/outreach/email/bounce", json=body).status_code == 401
    assert api.post("/v1/outreach/email/bounce", json=body,
                    headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert api.post("/v1/outreach/email/bounce", json=body, headers=_service_token(world, "dialer")).status_code == 403
    assert api.post("/v1/outreach/email/bounce", headers=BEARER,
                    json={"status": "hard", "at": AT}).status_code == 422
    assert api.post("/v1/outreach/email/bounce", headers=BEARER,
                    json={"message_id": "m-1", "status": "bounced", "at": AT}).status_code == 422
    assert _snapshot(world) == before
