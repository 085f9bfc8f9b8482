"""E-mail through a real SMTP server in this process (aiosmtpd, the ``smtp_server`` fixture) over a
socket: STARTTLS with a certificate the test makes, authentication, the sender on every message, a
refused recipient failed without a retry. Dispatch runs through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

from outreach_support import DAY, dispatched

DAYTIME = f"{DAY}T11:00:00+08:00"


def test_an_email_goes_over_starttls_with_authentication_and_names_the_real_sender(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    counts = dispatched(world.plan(world.email(2)), DAYTIME)
    assert counts["sent"] == 2, counts
    assert len(smtp_server.received) == 2
    addresses = {r["number"] for r in world.emails[:2]}
    for got in smtp_server.received:
        mail = got["mail"]
        assert got["tls"] and got["authenticated"]
        assert got["from"] == "collections@bank.example"
        assert mail["From"].addresses[0].display_name == "信用卡中心"
        assert mail["To"].addresses[0].addr_spec in addresses
        assert mail["Subject"].startswith("信用卡中心")
        assert mail["Message-ID"].startswith("<m-")
        body = mail.get_content()
        assert "信用卡中心" in body and "退订" in body
    assert dispatched(world.plan(world.email(2)), DAYTIME)["already sent"] == 2
    assert len(smtp_server.received) == 2


def test_a_refused_recipient_is_failed_without_a_retry(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    smtp_server.refuse.add(world.emails[0]["number"])
    counts = dispatched(world.plan(world.email(2)), DAYTIME)
    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert len(smtp_server.received) == 1

