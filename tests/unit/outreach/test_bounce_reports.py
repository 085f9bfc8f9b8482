"""E-mail bounces read from delivery status notifications shaped like real ones (RFC 3464), and the
rules of recording them, in memory: a hard bounce makes the address invalid at once, soft ones at
the limit, the same bounce twice changes nothing, a bounced address is denied at the next dispatch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from arrears.adapters.clock import FixedClock
from arrears.adapters.memory_outreach import MemoryOutreach, Row
from arrears.adapters.outreach.bounces import MailboxError, mailbox_bounces, parse_dsn
from arrears.domain.outreach import (
    PlannedMessage,
    Recipient,
    bounce_changes,
    bounce_of,
    without_addresses,
)
from arrears.domain.vocabulary import Bounce, OutboxState
from arrears.services.outreach.bounces import ReadBounceMailbox, RecordBounce, read_bounce_mailbox, record_bounce
from arrears.services.outreach.dispatch import INVALID_ADDRESS, Dispatch, Outreach, dispatch
from arrears.services.outreach.preview_renderer import package_templates
from arrears.services.outreach.replies import Callbacks
from arrears.services.workbench.errors import NotFound
from dsn_samples import mailbox_full, out_of_office, postfix_hard, write_mbox

MID = "m-0123456789abcdef0123456789abcdef"
ADDRESS = "zhang.wei@mail.example"
NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


# -- the parser ---------------------------------------------------------------------------------

def test_a_postfix_user_unknown_report_is_a_hard_bounce_of_our_message() -> None:
    found = parse_dsn(postfix_hard(f"{MID}@arrears", ADDRESS))
    assert found is not None
    assert (found.reference, found.kind, found.status) == (f"{MID}@arrears", Bounce.HARD, "5.1.1")
    assert found.at == datetime(2026, 11, 30, 3, 0, 5, tzinfo=UTC)  # Arrival-Date: no Last-Attempt-Date given
    assert "User unknown" in found.reason and ADDRESS not in found.reason


def test_a_mailbox_full_report_after_retries_is_a_soft_bounce_with_the_last_attempts_date() -> None:
    found = parse_dsn(mailbox_full(f"{MID}@arrears", ADDRESS))
    assert found is not None
    assert (found.reference, found.kind, found.status) == (f"{MID}@arrears", Bounce.SOFT, "4.2.2")
    assert found.at == datetime(2026, 12, 3, 3, 1, 58, tzinfo=UTC)
    assert found.reason == "452 4.2.2 Mailbox full: <address>"


def test_a_delay_warning_and_an_out_of_office_reply_are_no_bounce() -> None:
    assert parse_dsn(mailbox_full(f"{MID}@arrears", ADDRESS, action="delayed", status="4.4.7")) is None
    assert parse_dsn(out_of_office(ADDRESS)) is None


def test_a_report_on_several_recipients_is_as_hard_as_its_hardest_failure() -> None:
    raw = mailbox_full(f"{MID}@arrears", ADDRESS).replace(
        b"Last-Attempt-Date: Thu, 03 Dec 2026 11:01:58 +0800\r\n",
        b"Last-Attempt-Date: Thu, 03 Dec 2026 11:01:58 +0800\r\n\r\n"
        b"Final-Recipient: rfc822; other@mail.example\r\nAction: failed\r\nStatus: 5.7.1\r\n")
    found = parse_dsn(raw)
    assert found is not None and (found.kind, found.status) == (Bounce.HARD, "5.7.1")


def test_the_status_decides_hard_or_soft_only_for_a_failed_delivery() -> None:
    assert bounce_of("failed", "5.1.1") is Bounce.HARD
    assert bounce_of("Failed", "4.2.2 (mailbox full)") is Bounce.SOFT
    assert bounce_of("failed", "") is Bounce.HARD  # failed is final whatever the status says
    for action in ("delivered", "relayed", "expanded", "delayed"):
        assert bounce_of(action, "4.4.1") is None


def test_only_a_hard_bounce_changes_a_message_that_bounced_already() -> None:
    assert bounce_changes(None, Bounce.SOFT) and bounce_changes("delivered", Bounce.HARD)
    assert bounce_changes("soft_bounced", Bounce.HARD)
    assert not bounce_changes("soft_bounced", Bounce.SOFT)
    assert not bounce_changes("bounced", Bounce.HARD) and not bounce_changes("bounced", Bounce.SOFT)


def test_a_diagnostic_keeps_no_address() -> None:
    said = without_addresses("550 5.1.1 <a.b@c.example>: rejected; also x@y.example\n  twice")
    assert said == "550 5.1.1 <address>: rejected; also <address> twice"


def test_a_missing_mailbox_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(MailboxError, match=r"nope\.mbox"):
        list(mailbox_bounces(tmp_path / "nope.mbox"))
    with pytest.raises(MailboxError, match="Maildir"):
        list(mailbox_bounces(tmp_path / "nodir", maildir=True))


# -- recording (in memory) ------------------------------------------------------------------------

class LedgerGate:
    """The gate's ledger side: completes an attempt once."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}

    def record_outcome(self, attempt_id: str, outcome: str, *_: object, **__: object):  # type: ignore[no-untyped-def]
        from arrears.services.contact_gate_port import GateVerdict

        if attempt_id in self.outcomes:
            return GateVerdict("deny", ("ATTEMPT-CLOSED",))
        self.outcomes[attempt_id] = outcome
        return GateVerdict("allow", attempt_id=attempt_id)

    def reserve(self, request, *_: object, **__: object):  # type: ignore[no-untyped-def]
        from arrears.services.contact_gate_port import GateVerdict

        return GateVerdict("allow", attempt_id=f"at-{request.at.isoformat()}")


def _sent(store: MemoryOutreach, n: int, point: str = "P1", channel: str = "email") -> list[str]:
    """n e-mails sent to one address: their message ids (provider id: <id>@arrears)."""
    ids = []
    for k in range(n):
        message = PlannedMessage("A1", "C1", channel, point, NOW - timedelta(days=k + 1), "offer_installment",
                                 "installment")
        store.outbox.rows[message.message_id] = Row(message, OutboxState.SENT, 1, attempt_id=f"at-{k}",
                                                    provider_id=f"{message.message_id}@arrears")
        ids.append(message.message_id)
    return ids


def _callbacks(store: MemoryOutreach, gate: LedgerGate, limit: int = 3) -> Callbacks:
    return Callbacks(store.unit_of_work, gate, FixedClock(NOW), soft_bounce_limit=limit)  # type: ignore[arg-type]


def test_a_hard_bounce_completes_the_attempt_as_bounced_and_makes_the_address_invalid() -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    (mid,) = _sent(store, 1)
    said = record_bounce(RecordBounce(f"<{mid}@arrears>", Bounce.HARD, NOW, "5.1.1", f"550 {ADDRESS} unknown"),
                         _callbacks(store, gate))
    assert said == {"message_id": mid, "bounce": "hard", "changed": True, "ledger": True, "address_invalid": True}
    assert gate.outcomes == {"at-0": "bounced"}
    assert store.outbox.rows[mid].delivery == "bounced"
    assert store.outbox.rows[mid].reason == "bounce: hard 5.1.1 550 <address> unknown"
    assert store.replies.invalid == {"P1"}


def test_soft_bounces_make_the_address_invalid_at_the_limit_each_message_counted_once() -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    first, second, third = _sent(store, 3)
    callbacks = _callbacks(store, gate, limit=3)
    for mid in (first, second, second, first):  # the same report read again counts once
        record_bounce(RecordBounce(mid, Bounce.SOFT, NOW), callbacks)
    assert store.replies.invalid == set()
    said = record_bounce(RecordBounce(third, Bounce.SOFT, NOW), callbacks)
    assert said["address_invalid"] is True and store.replies.invalid == {"P1"}
    assert [store.outbox.rows[m].delivery for m in (first, second, third)] == ["soft_bounced"] * 3


def test_a_hard_bounce_after_a_soft_one_of_the_same_message_makes_the_address_invalid() -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    (mid,) = _sent(store, 1)
    callbacks = _callbacks(store, gate)
    record_bounce(RecordBounce(mid, Bounce.SOFT, NOW), callbacks)
    said = record_bounce(RecordBounce(mid, Bounce.HARD, NOW), callbacks)
    assert (said["changed"], said["ledger"], said["address_invalid"]) == (True, False, True)  # ledger: closed before
    assert store.outbox.rows[mid].delivery == "bounced"
    assert record_bounce(RecordBounce(mid, Bounce.SOFT, NOW), callbacks)["changed"] is False


def test_a_bounce_of_an_unknown_message_or_of_an_sms_is_not_found_and_changes_nothing() -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    (sms,) = _sent(store, 1, channel="sms")
    for reference in ("m-unknown@arrears", sms, f"{sms}@arrears", ""):
        with pytest.raises(NotFound):
            record_bounce(RecordBounce(reference, Bounce.HARD, NOW), _callbacks(store, gate))
    assert store.outbox.rows[sms].delivery is None and store.replies.invalid == set() and gate.outcomes == {}


def test_reading_the_bounce_mailbox_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    hard, soft = _sent(store, 1, point="P1") + _sent(store, 1, point="P2")
    box = write_mbox(tmp_path / "bounces.mbox", [postfix_hard(f"{hard}@arrears", ADDRESS), out_of_office(ADDRESS),
                                                mailbox_full(f"{soft}@arrears", "li.na@mail.example"),
                                                postfix_hard("m-not-ours@arrears", ADDRESS)])
    first = read_bounce_mailbox(ReadBounceMailbox(box), _callbacks(store, gate))
    assert first == {"hard": 1, "soft": 1, "already_recorded": 0, "unknown": 1, "not_bounces": 1,
                               "addresses_invalid": 1}
    state = (dict(gate.outcomes), {m: r.delivery for m, r in store.outbox.rows.items()}, set(store.replies.invalid))
    again = read_bounce_mailbox(ReadBounceMailbox(box), _callbacks(store, gate))
    assert again == {"hard": 0, "soft": 0, "already_recorded": 2, "unknown": 1, "not_bounces": 1,
                               "addresses_invalid": 0}
    assert (gate.outcomes, {m: r.delivery for m, r in store.outbox.rows.items()}, store.replies.invalid) == state


def test_the_next_dispatch_to_a_bounced_address_is_denied_and_nothing_is_sent() -> None:
    store, gate = MemoryOutreach(), LedgerGate()
    (mid,) = _sent(store, 1)
    store.recipients.by_point["P1"] = Recipient(ADDRESS, "zh", {
        "name": "张*", "tail": "1234", "institution": "信用卡中心", "creditor": "信用卡中心", "agent": "—",
        "past_due": "1,200.00元", "past_due_cents": "120000", "currency": "CNY", "agency": "", "jurisdiction": "CN"})
    record_bounce(RecordBounce(mid, Bounce.HARD, NOW), _callbacks(store, gate))

    class Mailer:
        def send(self, message):  # type: ignore[no-untyped-def]
            raise AssertionError(f"nothing is sent to a bounced address: {message}")

    outreach = Outreach(store.unit_of_work, gate, {"email": Mailer()}, package_templates(NOW),  # type: ignore[arg-type]
                        clock=FixedClock(NOW))
    later = PlannedMessage("A1", "C1", "email", "P1", NOW, "offer_installment", "installment")
    counts = dispatch(Dispatch((later,), NOW), outreach)
    assert (counts.denied, counts.sent, counts.rules) == (1, 0, {INVALID_ADDRESS: 1})
    assert store.outbox.rows[later.message_id].rules == INVALID_ADDRESS



def test_a_malformed_message_id_in_a_report_does_not_stop_the_mailbox(tmp_path: Path) -> None:
    box = write_mbox(tmp_path / "bounces.mbox", [mailbox_full(f"<{MID}@arrears>", ADDRESS),  # <<...>>: malformed
                                                postfix_hard(f"{MID}@arrears", ADDRESS)])
    found = list(mailbox_bounces(box))
    assert [(f.reference, f.kind) for f in found if f is not None] == [(f"{MID}@arrears", Bounce.SOFT),
                                                                       (f"{MID}@arrears", Bounce.HARD)]
