"""Dispatch (outreach-v1): the plan's messages into the outbox, and each due one through the
gate, the renderer, its channel and the ledger, at most once per plan row.

One try of a message is two transactions around the send. The first claims the outbox row
under a lease, renders the text, and has the gate judge and reserve the attempt at the
dispatch instant, with the ledger as it is then (the gate screens the text); a denial is
recorded there. Then the channel sends, with the message id as the idempotency key. The
second records what came of it: sent (the attempt stays open for the gateway's receipt),
failed (the attempt is completed as failed), or a retry with backoff, which reserves (and so
is judged) anew. A dispatcher that dies between the two leaves the row claimed: when its lease
runs out, the next dispatcher sends it again under the same id and the same reservation, so
only a message in flight at the crash can reach the gateway twice, and the gateway can drop it.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from arrears.adapters.clock import Clock, system_clock
from arrears.domain.outreach import DispatchCounts, PlannedMessage, RetryPolicy
from arrears.domain.vocabulary import OUTBOX_FINAL, OutboxState
from arrears.services.contact_gate_port import ContactGate
from arrears.services.outreach import gate as door
from arrears.services.outreach.ports import (
    ChannelSender,
    Claimed,
    MessageRenderer,
    OutboundMessage,
    OutreachUnitOfWork,
    RenderError,
    SendResult,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class Dispatch:
    """Send a plan's due messages (``now``: the dispatch instant; None: the clock)."""

    messages: tuple[PlannedMessage, ...]
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class DispatchDue:
    """Send what is due in the outbox now (the worker's round)."""

    now: datetime | None = None
    limit: int = 1000


class ChannelNotConfigured(LookupError):
    """The plan uses a channel that has no adapter configured; nothing was written or sent."""


@dataclass
class Outreach:
    """The ports a dispatcher works with."""

    unit_of_work: Callable[[], OutreachUnitOfWork]
    gate: ContactGate
    senders: Mapping[str, ChannelSender]
    renderer: MessageRenderer
    missing: Mapping[str, str] = field(default_factory=dict)  # channel → what its configuration lacks
    clock: Clock = system_clock  # wall time: leases and backoff
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(seconds=60)
    sleep: Callable[[float], None] = time.sleep
    concurrency: int = 1  # messages tried at once (threads); the database's lock rules stay the same
    # (account id, message id) -> the customer's page link the message may carry (template variable
    # ``link``, alias ``portal_link``): one link per message, the same one when it is tried again
    links: Callable[[str, str, Connection | None], str] | None = None


_TALLY = threading.Lock()
# Not a compliance rule: the number or address is marked invalid (a hard bounce, an undeliverable
# receipt), so nothing is sent there; the outbox and the counts name it like a rule.
INVALID_ADDRESS = "OUT-INVALID-ADDRESS"
Progress = Callable[[int], None]  # advanced by the number of rows finished


class _Instant:
    """The dispatch instant: the given one (or the clock's), moving on with the wall clock."""

    def __init__(self, outreach: Outreach, given: datetime | None) -> None:
        self.clock, self.started = outreach.clock, outreach.clock()
        self.origin = given or self.started

    def __call__(self) -> datetime:
        return self.origin + (self.clock() - self.started)


def require_channels(outreach: Outreach, channels: set[str]) -> None:
    """Raise ``ChannelNotConfigured`` naming each channel the plan uses that cannot send."""
    lacking = sorted(c for c in channels if c not in outreach.senders)
    if lacking:
        said = "; ".join(f"{c}: {outreach.missing.get(c, 'no adapter configured')}" for c in lacking)
        raise ChannelNotConfigured(f"the plan uses channels that are not configured ({said}); nothing was sent")


def dispatch(command: Dispatch, outreach: Outreach, progress: Progress | None = None) -> DispatchCounts:
    require_channels(outreach, {m.channel for m in command.messages})
    instant, counts = _Instant(outreach, command.now), DispatchCounts()
    with outreach.unit_of_work() as uow:
        before = uow.outbox.enqueue(command.messages, outreach.clock())
        uow.commit()
    due: list[str] = []
    seen: set[str] = set()
    for message in command.messages:
        mid = message.message_id
        if mid in seen:  # the same row twice in a plan is one message
            continue
        seen.add(mid)
        if before.get(mid) in OUTBOX_FINAL:
            counts.already_sent += 1
        elif message.scheduled_at > instant():
            counts.not_due += 1
        else:
            due.append(mid)
    if progress:
        progress(len(command.messages) - len(due))
    _send_all(due, outreach, instant, counts, progress)
    return counts


def dispatch_due(command: DispatchDue, outreach: Outreach, progress: Progress | None = None,
                 stop: Callable[[], bool] = lambda: False) -> DispatchCounts:
    """One round of the worker: every outbox row due now (a retry waits in the outbox for a
    later round; ``stop`` is asked before each message)."""
    instant, counts = _Instant(outreach, command.now), DispatchCounts()
    with outreach.unit_of_work() as uow:
        due = uow.outbox.due(instant(), outreach.clock(), command.limit)
    _send_all(due, outreach, instant, counts, progress, wait=False, stop=stop)
    return counts


def _send_all(due: Sequence[str], outreach: Outreach, instant: _Instant, counts: DispatchCounts,
              progress: Progress | None, *, wait: bool = True, stop: Callable[[], bool] = lambda: False) -> None:
    """Each row once, then (``wait``) the retries as their times come (wall clock)."""
    waiting: list[tuple[datetime, int, str]] = []
    order = 0
    for mid, outcome in _first_tries(due, outreach, instant, counts, stop):
        order += 1
        _settle(mid, outcome, waiting, order, counts=counts, progress=progress)
    while waiting and wait and not stop():
        at, _, mid = heapq.heappop(waiting)
        # until the clock says so: a sleep is timed on the monotonic clock, and the wall clock the
        # outbox compares with can run a little slower (adjusted by NTP), so one sleep may end just
        # before the retry is due, and the row would be left waiting as "not due"
        while (pause := (at - outreach.clock()).total_seconds()) > 0:
            outreach.sleep(pause)
        order += 1
        _settle(mid, _try(mid, outreach, instant, counts), waiting, order, counts=counts, progress=progress)


def _first_tries(due: Sequence[str], outreach: Outreach, instant: _Instant, counts: DispatchCounts,
                 stop: Callable[[], bool]) -> Iterator[tuple[str, str | datetime]]:
    """The first try of each row: one after another, or ``outreach.concurrency`` at a time (each
    claim is atomic, so no two threads ever hold one row); ``stop`` is asked between batches."""
    if outreach.concurrency <= 1:
        for mid in due:
            if stop():
                return
            yield mid, _try(mid, outreach, instant, counts)
        return
    batch = outreach.concurrency * 8
    with ThreadPoolExecutor(outreach.concurrency, thread_name_prefix="dispatch") as pool:
        for start in range(0, len(due), batch):
            if stop():
                return
            chunk = due[start:start + batch]
            yield from zip(chunk, pool.map(lambda mid: _try(mid, outreach, instant, counts), chunk), strict=True)


def _settle(mid: str, outcome: str | datetime, waiting: list[tuple[datetime, int, str]], order: int, *,
            counts: DispatchCounts, progress: Progress | None) -> None:
    if isinstance(outcome, datetime):
        heapq.heappush(waiting, (outcome, order, mid))
        return
    setattr(counts, outcome, getattr(counts, outcome) + 1)
    if progress:
        progress(1)


def _try(mid: str, outreach: Outreach, instant: _Instant, counts: DispatchCounts) -> str | datetime:
    """One try of one message: the name of the count it ends in, or when to try again."""
    with outreach.unit_of_work() as uow:
        now = outreach.clock()
        claimed = uow.outbox.claim(mid, now=now, lease_until=now + outreach.lease)
        if claimed is None:
            state = uow.outbox.state_of(mid)  # final, held by another dispatcher, or waiting for its retry
            return "already_sent" if state in OUTBOX_FINAL else "in_flight" if state is OutboxState.SENDING \
                else "not_due"
        message = claimed.message
        recipient = uow.recipients.find(message.account_id, message.contact_point_id, message.channel)
        if recipient is None:
            uow.outbox.failed(mid, "the contact point is not the account's, or has no usable value", now)
            uow.commit()
            return "failed"
        if recipient.invalid:
            return _deny(uow, mid, (INVALID_ADDRESS,), counts, now)
        try:
            rendered = outreach.renderer.render(message.template, message.channel, recipient.language,
                                                _with_link(outreach, recipient.facts, message, mid, uow.connection))
        except RenderError as error:
            uow.outbox.failed(mid, f"template {message.template}: {error}", now)
            uow.commit()
            return "failed"
        attempt_id = claimed.attempt_id
        if attempt_id is None:
            verdict = door.reserve(outreach.gate, message, rendered.text, instant(), recipient.language,
                                   connection=uow.connection)
            if not verdict.allowed or verdict.attempt_id is None:
                return _deny(uow, mid, verdict.rules, counts, now, decision=verdict.decision)
            attempt_id = verdict.attempt_id
            uow.outbox.reserved(mid, attempt_id, now)
        uow.commit()
    result = outreach.senders[message.channel].send(OutboundMessage(
        mid, message.channel, message.account_id, recipient.to, rendered.text, rendered.subject, rendered.sender))
    return _record(claimed, attempt_id, result, outreach)


def _deny(uow: OutreachUnitOfWork, mid: str, rules: Sequence[str], counts: DispatchCounts, now: datetime, *,
          decision: str = "deny") -> str:
    """Record the message as denied by ``rules`` (by the ``decision`` when it names none; nothing is
    sent) and count the rules."""
    uow.outbox.denied(mid, rules or (decision,), now)
    uow.commit()
    with _TALLY:
        for rule in rules:
            counts.rules[rule] = counts.rules.get(rule, 0) + 1
    return "denied"


def _with_link(outreach: Outreach, facts: Mapping[str, str], message: PlannedMessage, mid: str,
               connection: Connection | None) -> Mapping[str, str]:
    """The recipient's facts with the link to the customer's own page (SMS and e-mail), made in the
    message's own transaction."""
    if outreach.links is None or message.channel not in ("sms", "email"):
        return facts
    return {**facts, "link": outreach.links(message.account_id, mid, connection)}


def _record(claimed: Claimed, attempt_id: str, result: SendResult, outreach: Outreach) -> str | datetime:
    mid, status, reason = claimed.message_id, result.status, result.reason
    with outreach.unit_of_work() as uow:
        now = outreach.clock()
        if status == "accepted":
            uow.outbox.sent(mid, result.provider_id or "", now)
            uow.commit()
            return "sent"
        door.record(outreach.gate, attempt_id, "failed", connection=uow.connection)
        again = outreach.retry.next_try(claimed.tries, now) if status == "retryable" else None
        if again is None:
            uow.outbox.failed(mid, reason, now)
            uow.commit()
            return "failed"
        uow.outbox.retry(mid, again, reason, now)
        uow.commit()
        return again

