"""Dispatch with the in-memory outbox, a scripted channel and a small gate: backoff, the retry
limit, a retry judged again, denials and failures recorded, nothing written without a channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.clock import FixedClock
from arrears.adapters.memory_outreach import MemoryOutreach
from arrears.domain.outreach import OutboundMessage, PlannedMessage, Recipient, RetryPolicy, SendResult
from arrears.domain.vocabulary import OutboxState
from arrears.services.contact_gate_port import ContactRequest, GateVerdict
from arrears.services.outreach.dispatch import ChannelNotConfigured, Dispatch, Outreach, dispatch
from arrears.services.outreach.preview_renderer import package_templates

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
FACTS = {"name": "张*", "tail": "1234", "institution": "信用卡中心", "creditor": "信用卡中心", "agent": "—",
         "past_due": "1,200.00元", "past_due_cents": "120000", "currency": "CNY", "agency": "", "jurisdiction": "CN"}


@dataclass
class SmallGate:
    """Denies the accounts it is told to and anything from 22:00; numbers its attempts."""

    deny: set[str] = field(default_factory=set)
    judged: list[ContactRequest] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)

    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        raise NotImplementedError

    def reserve(self, request: ContactRequest, language: str = "zh", *, connection: object = None) -> GateVerdict:
        self.judged.append(request)
        if request.account_id in self.deny or request.at.astimezone(SHANGHAI).hour >= 22:
            return GateVerdict("deny", ("TEST-01",), ("no",))
        return GateVerdict("allow", attempt_id=f"at-{len(self.judged)}")

    def record_outcome(self, attempt_id: str, outcome: str, party: str | None = None, language: str = "zh", *,
                       connection: object = None) -> GateVerdict:
        self.outcomes[attempt_id] = outcome
        return GateVerdict("allow", attempt_id=attempt_id)


@dataclass
class ScriptedChannel:
    script: list[SendResult]
    sent: list[OutboundMessage] = field(default_factory=list)

    def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message)
        return self.script.pop(0) if self.script else SendResult.accepted(f"p-{len(self.sent)}")


def _message(account: str = "A1", template: str = "reminder_due", at: datetime = NOON) -> PlannedMessage:
    return PlannedMessage(account, f"C-{account}", "sms", f"P-{account}", at, template, "none")


def _setup(*script: SendResult, max_tries: int = 3) -> tuple[Outreach, MemoryOutreach, SmallGate, ScriptedChannel,
                                                             list[float]]:
    store, gate, channel, clock = MemoryOutreach(), SmallGate(), ScriptedChannel(list(script)), FixedClock(NOON)
    for account in ("A1", "A2"):
        store.recipients.by_point[f"P-{account}"] = Recipient("+8613800138000", "zh", FACTS)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.set(clock.now + timedelta(seconds=seconds))

    outreach = Outreach(store.unit_of_work, gate, {"sms": channel}, package_templates(NOON), clock=clock,
                        retry=RetryPolicy(max_tries, timedelta(seconds=1)), sleep=sleep)
    return outreach, store, gate, channel, slept


def test_a_retryable_failure_waits_its_backoff_and_the_retry_is_judged_again():
    outreach, _store, gate, channel, slept = _setup(SendResult.retryable("503"))
    counts = dispatch(Dispatch((_message(),), NOON), outreach)
    assert (counts.sent, counts.failed) == (1, 0)
    assert slept == [1.0]
    assert len(gate.judged) == 2 and gate.judged[1].at == NOON + timedelta(seconds=1)
    assert gate.outcomes == {"at-1": "failed"}  # the first attempt is closed; the second awaits its receipt
    assert [m.message_id for m in channel.sent] == [_message().message_id] * 2


def test_a_retry_waits_until_the_clock_reaches_its_time_even_when_a_sleep_ends_a_little_early():
    outreach, _store, _gate, channel, slept = _setup(SendResult.retryable("503"))
    clock = outreach.clock
    assert isinstance(clock, FixedClock)

    def slow_wall_clock(seconds: float) -> None:  # the first sleep ends a microsecond before the wall clock's time
        short = timedelta(microseconds=1) if not slept else timedelta(0)
        slept.append(seconds)
        clock.set(clock.now + timedelta(seconds=seconds) - short)

    outreach.sleep = slow_wall_clock
    counts = dispatch(Dispatch((_message(),), NOON), outreach)
    assert (counts.sent, counts.not_due) == (1, 0), counts
    assert len(channel.sent) == 2 and slept[0] == 1.0 and len(slept) >= 2


def test_the_backoff_doubles_until_the_limit_and_then_the_message_is_failed():
    outreach, store, _, channel, slept = _setup(*[SendResult.retryable("503")] * 5, max_tries=3)
    counts = dispatch(Dispatch((_message(),), NOON), outreach)
    assert counts.failed == 1 and len(channel.sent) == 3
    assert slept == [1.0, 2.0]
    assert store.outbox.rows[_message().message_id].state is OutboxState.FAILED


def test_a_rejected_message_is_failed_without_a_retry():
    outreach, store, _, channel, slept = _setup(SendResult.rejected("422 number refused"))
    assert dispatch(Dispatch((_message(),), NOON), outreach).failed == 1
    assert len(channel.sent) == 1 and slept == []
    assert "422" in store.outbox.rows[_message().message_id].reason


def test_a_retry_the_gate_now_refuses_is_denied_and_not_sent_again():
    outreach, _store, _gate, channel, _ = _setup(SendResult.retryable("503"))
    late = NOON.replace(hour=21, minute=59, second=59, microsecond=500_000)  # the retry falls after 22:00
    counts = dispatch(Dispatch((_message(at=late),), late), outreach)
    assert (counts.sent, counts.denied) == (0, 1)
    assert len(channel.sent) == 1


def test_a_denied_message_is_never_sent_and_its_rule_is_kept():
    outreach, store, gate, channel, _ = _setup()
    gate.deny.add("A2")
    counts = dispatch(Dispatch((_message("A1"), _message("A2")), NOON), outreach)
    assert (counts.sent, counts.denied, counts.rules) == (1, 1, {"TEST-01": 1})
    assert [m.account_id for m in channel.sent] == ["A1"]
    assert store.outbox.rows[_message("A2").message_id].rules == "TEST-01"


def test_an_unknown_template_fails_the_message_before_the_gate_is_asked():
    outreach, _store, gate, channel, _ = _setup()
    counts = dispatch(Dispatch((_message(template="no_such_template"),), NOON), outreach)
    assert counts.failed == 1 and gate.judged == [] and channel.sent == []


def test_rows_not_due_stay_pending_and_a_second_dispatch_counts_the_sent_as_already_sent():
    outreach, _store, _, channel, _ = _setup()
    plan = (_message("A1"), _message("A2", at=NOON + timedelta(hours=2)))
    first = dispatch(Dispatch(plan, NOON), outreach)
    assert (first.sent, first.not_due) == (1, 1)
    second = dispatch(Dispatch(plan, NOON + timedelta(hours=3)), outreach)
    assert (second.sent, second.already_sent) == (1, 1)
    assert len(channel.sent) == 2


def test_a_plan_using_a_channel_without_an_adapter_stops_before_the_outbox_is_touched():
    outreach, store, _, _, _ = _setup()
    email = PlannedMessage("A1", "C-A1", "email", "P-A1", NOON, "reminder_due", "none")
    outreach.missing = {"email": "set ARREARS_SMTP_URL"}
    with pytest.raises(ChannelNotConfigured, match="email: set ARREARS_SMTP_URL"):
        dispatch(Dispatch((_message(), email), NOON), outreach)
    assert store.outbox.rows == {}
