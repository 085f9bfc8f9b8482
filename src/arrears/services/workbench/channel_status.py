"""What may happen now on an account, per channel, and why: the gate's preview on the contact
point that channel would use. A point marked do-not-contact or invalid is never used: a channel
with no other point is forbidden (``workbench.no_contact_point``, worded in zh and en).
``reachable_now`` is the work queue's question: may anybody call or text the account now?"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from arrears.adapters.storage import tables as t
from arrears.domain.vocabulary import Channel, ContactKind
from arrears.services.contacts.ports import ContactRequest, GateVerdict
from arrears.services.workbench.accounts import visible_account
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

_KINDS_FOR = {
    Channel.CALL: (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK),
    Channel.VOICEMAIL: (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK),
    Channel.SMS: (ContactKind.MOBILE,),
    Channel.EMAIL: (ContactKind.EMAIL,),
    Channel.LETTER: (ContactKind.POSTAL,),
    Channel.VISIT: (),
}


PointRow = Row[Any, Any, Any, Any, Any, Any]  # contact_point_id, kind, value_masked, owner, status, do_not_contact
NO_CONTACT_POINT = "workbench.no_contact_point"
QUEUE_CHANNELS = (Channel.CALL, Channel.SMS)  # what a desk collector does now; e-mail and letters go by the outbox
_CHANNEL_ZH = {Channel.CALL: "电话", Channel.VOICEMAIL: "语音留言", Channel.SMS: "短信", Channel.EMAIL: "电子邮件",
               Channel.LETTER: "信函", Channel.VISIT: "上门"}
_CHANNEL_EN = {Channel.CALL: "a call", Channel.VOICEMAIL: "a voicemail", Channel.SMS: "a text message",
               Channel.EMAIL: "an e-mail", Channel.LETTER: "a letter", Channel.VISIT: "a visit"}


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    contact_point_id: str | None
    value_masked: str | None
    verdict: GateVerdict


def _points(connection: Connection, customer_id: str) -> Sequence[PointRow]:
    p = t.contact_points.c
    return connection.execute(select(p.contact_point_id, p.kind, p.value_masked, p.owner, p.status,
                                     p.do_not_contact)
                              .where(p.customer_id == customer_id, p.in_portfolio.is_(True))
                              .order_by(p.contact_point_id)).all()


def _point_for(points: Sequence[PointRow], channel: Channel) -> PointRow | None:
    fitting = [p for p in points if p.kind in _KINDS_FOR[channel] and usable(p)]
    fitting.sort(key=lambda p: (p.owner != "debtor", p.status != "valid", p.contact_point_id))
    return fitting[0] if fitting else None


def usable(point: PointRow) -> bool:
    """A point that may be used at all: not marked do-not-contact, not known to be wrong."""
    return not point.do_not_contact and point.status != "invalid"


def _status(wb: Workbench, principal: Principal, account_id: str, points: Sequence[PointRow], *, channel: Channel,
            now: datetime) -> ChannelStatus:
    point = _point_for(points, channel)
    if point is None and channel not in (Channel.VISIT, Channel.LETTER):
        verdict = GateVerdict("deny", (NO_CONTACT_POINT,), (no_point_text(channel, principal.language),))
    else:
        verdict = wb.gate.preview(ContactRequest(
            account_id, channel.value, now, point.contact_point_id if point else None, principal.agent_id,
            visitors=(principal.agent_id,) if channel == Channel.VISIT and principal.agent_id else (),
        ), principal.language)
    return ChannelStatus(channel.value, point.contact_point_id if point else None,
                         point.value_masked if point else None, verdict)


def compliance_status(wb: Workbench, principal: Principal, account_id: str) -> list[ChannelStatus]:
    """What may happen now, per channel, and why (the gate's own words)."""
    account = visible_account(wb, principal, account_id)
    with wb.engine.connect() as connection:
        points = _points(connection, account["customer_id"])
    now = wb.now()
    return [_status(wb, principal, account_id, points, channel=channel, now=now) for channel in Channel]


def reachable_now(wb: Workbench, principal: Principal) -> Callable[[str, datetime], GateVerdict]:
    """The queue's question for ``principal``: may the account be called or texted at ``now``?
    The gate's verdict on the first of ``QUEUE_CHANNELS`` that it allows, else a refusal with
    every channel's reasons."""
    def reach(account_id: str, now: datetime) -> GateVerdict:
        a = t.accounts.c
        with wb.engine.connect() as connection:
            customer_id = connection.execute(select(a.customer_id).where(a.account_id == account_id)).scalar()
            points = _points(connection, customer_id) if customer_id is not None else []
        refusals = []
        for channel in QUEUE_CHANNELS:
            verdict = _status(wb, principal, account_id, points, channel=channel, now=now).verdict
            if verdict.decision != "deny":
                return verdict
            refusals.append(verdict)
        return GateVerdict("deny", tuple(dict.fromkeys(r for v in refusals for r in v.rules)),
                           tuple(dict.fromkeys(r for v in refusals for r in v.reasons)))
    return reach


def no_point_text(channel: Channel, language: str) -> str:
    """``workbench.no_contact_point`` in the reader's language."""
    if language == "en":
        return f"no contact point that may be used for {_CHANNEL_EN[channel]}"
    return f"没有可用于{_CHANNEL_ZH[channel]}的联系方式"


