"""What may happen now on an account, per channel, and why: the gate's preview on the contact
point that channel would use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


PointRow = Row[Any, Any, Any, Any, Any]  # contact_point_id, kind, value_masked, owner, status


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    contact_point_id: str | None
    value_masked: str | None
    verdict: GateVerdict


def _points(connection: Connection, customer_id: str) -> Sequence[PointRow]:
    p = t.contact_points.c
    return connection.execute(select(p.contact_point_id, p.kind, p.value_masked, p.owner, p.status)
                              .where(p.customer_id == customer_id, p.in_portfolio.is_(True))
                              .order_by(p.contact_point_id)).all()


def _point_for(points: Sequence[PointRow], channel: Channel) -> PointRow | None:
    fitting = [p for p in points if p.kind in _KINDS_FOR[channel]]
    fitting.sort(key=lambda p: (p.owner != "debtor", p.status != "valid", p.contact_point_id))
    return fitting[0] if fitting else None


def compliance_status(wb: Workbench, principal: Principal, account_id: str) -> list[ChannelStatus]:
    """What may happen now, per channel, and why (the gate's own words)."""
    account = visible_account(wb, principal, account_id)
    with wb.engine.connect() as connection:
        points = _points(connection, account["customer_id"])
    now, statuses = wb.now(), []
    for channel in Channel:
        point = _point_for(points, channel)
        if point is None and channel not in (Channel.VISIT, Channel.LETTER):
            verdict = GateVerdict("deny", ("workbench.no_contact_point",),
                                  (_no_point(channel, principal.language),))
        else:
            verdict = wb.gate.preview(ContactRequest(
                account_id, channel.value, now, point.contact_point_id if point else None, principal.agent_id,
                visitors=(principal.agent_id,) if channel == Channel.VISIT and principal.agent_id else (),
            ), principal.language)
        statuses.append(ChannelStatus(channel.value, point.contact_point_id if point else None,
                                      point.value_masked if point else None, verdict))
    return statuses


def _no_point(channel: Channel, language: str) -> str:
    return f"no contact point for {channel.value}" if language == "en" else f"没有可用于 {channel.value} 的联系方式"


