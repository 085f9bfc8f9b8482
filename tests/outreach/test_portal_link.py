"""Outreach templates carry the link to the customer's own page: the dispatcher makes one link per
message (short enough for an SMS), and the link the customer received opens their page."""

from __future__ import annotations

import re

from outreach_support import DAY, dispatched, outbox_of

LINK = re.compile(r"http://127\.0\.0\.1:8000/p/([A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22})")


def test_an_installment_offer_by_sms_carries_one_link_per_message_that_opens_the_page(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(3, template="offer_installment"))
    report = dispatched(plan, f"{DAY}T10:00:00+08:00")
    assert report["sent"] == 3, (report, outbox_of(world.engine))  # once 2 of 3 under load: say why if again
    texts = [m["text"] for m in sms.received()]
    tokens = [LINK.search(text) for text in texts]
    assert all(tokens), texts
    assert len({t[1] for t in tokens if t}) == 3
    assert all(len(t[0]) < 70 for t in tokens if t)
    first = tokens[0]
    assert first is not None
    page = api.get(f"/p/{first[1]}")
    assert page.status_code == 200 and "/code" in page.text


def test_a_reminder_template_without_the_link_is_sent_as_before(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(1))
    report = dispatched(plan, f"{DAY}T10:00:00+08:00")
    assert report["sent"] == 1, (report, outbox_of(world.engine))
    assert "/p/" not in sms.received()[0]["text"]


def test_the_planners_self_service_message_carries_the_link_and_is_signed_and_screened(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(2, template="self_service"))
    report = dispatched(plan, f"{DAY}T10:00:00+08:00")
    assert report["sent"] == 2, (report, outbox_of(world.engine))  # once 1 of 2 in a full run (PostgreSQL)
    texts = [m["text"] for m in sms.received()]
    assert all(LINK.search(text) for text in texts), texts
    assert all(text.startswith("【") and "回复TD退订" in text and "在线查看账户" in text for text in texts), texts
