"""What comes back from the SMS gateway, stored: numbers marked invalid or opted out where the
gate and the planner read them (``contact_points.status`` and ``do_not_contact``), a reply as an
inbound contact in the contacts the gate counts, the reply itself (encrypted) and a follow-up
for the account's collector."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.outreach_tables import inbound_messages, outbox_messages
from arrears.adapters.storage.workbench_tables import follow_ups, work_items
from arrears.domain.outreach import NumberHolder

p = t.contact_points.c
PARTIES = ("debtor", "spouse", "guarantor", "emergency_contact")
SYSTEM = "outreach"  # who made a follow-up that a reply created


class SqlReplyStore:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self.connection, self.cipher = connection, cipher

    def holders(self, number: str) -> list[NumberHolder]:
        """The contact points with this number (E.164), by its keyed hash."""
        rows = self.connection.execute(
            select(p.contact_point_id, p.customer_id, p.owner, p.kind)
            .where(p.value_hash == self.cipher.lookup_hash(number), p.kind.in_(("mobile", "home", "work")))
            .order_by(p.contact_point_id)).all()
        return [NumberHolder(r.contact_point_id, r.customer_id, r.owner) for r in rows]

    def mark_invalid(self, contact_point_id: str) -> None:
        self.connection.execute(update(t.contact_points).where(p.contact_point_id == contact_point_id)
                                .values(status="invalid"))

    def opt_out(self, contact_point_ids: list[str]) -> None:
        self.connection.execute(update(t.contact_points).where(p.contact_point_id.in_(contact_point_ids))
                                .values(do_not_contact=True))

    def account_replied_to(self, holder: NumberHolder) -> str | None:
        """The account of the last message sent to the number, else the customer's first account."""
        o = outbox_messages.c
        account = self.connection.execute(
            select(o.account_id).where(o.contact_point_id == holder.contact_point_id, o.provider_id.is_not(None))
            .order_by(o.updated_at.desc()).limit(1)).scalar()
        if account is None:
            account = self.connection.execute(
                select(t.accounts.c.account_id).where(t.accounts.c.customer_id == holder.customer_id)
                .order_by(t.accounts.c.account_id).limit(1)).scalar()
        return account

    def add_inbound_contact(self, holder: NumberHolder, account_id: str, at: datetime) -> str:
        contact_id = f"IN-{uuid.uuid4().hex}"
        party = holder.owner if holder.owner in PARTIES else "third_party"
        self.connection.execute(insert(t.contacts).values(
            contact_id=contact_id, account_id=account_id, customer_id=holder.customer_id,
            contact_point_id=holder.contact_point_id, channel="sms", direction="inbound", at=at, party=party,
            outcome="delivered", complaint=False, row_digest="-" * 32))
        return contact_id

    def collector_of(self, account_id: str) -> str | None:
        w = work_items.c
        return self.connection.execute(
            select(w.assigned_to).where(w.account_id == account_id, w.assigned_to.is_not(None))
            .order_by(w.queue_date.desc(), w.item_id.desc()).limit(1)).scalar()

    def add_follow_up(self, account_id: str, owner_user_id: str, due_at: datetime, note: str, now: datetime) -> str:
        follow_up_id = uuid.uuid4().hex
        self.connection.execute(insert(follow_ups).values(
            follow_up_id=follow_up_id, account_id=account_id, owner_user_id=owner_user_id, kind="callback",
            due_at=due_at, note_enc=self.cipher.encrypt(note), status="open", created_by=SYSTEM, created_at=now))
        return follow_up_id

    def keep_reply(self, holder: NumberHolder, number: str, text: str, at: datetime, *, account_id: str | None,
                   effect: str, follow_up_id: str | None, now: datetime) -> str:
        inbound_id = uuid.uuid4().hex
        self.connection.execute(insert(inbound_messages).values(
            inbound_id=inbound_id, at=at, from_hash=self.cipher.lookup_hash(number), customer_id=holder.customer_id,
            account_id=account_id, contact_point_id=holder.contact_point_id, text_enc=self.cipher.encrypt(text),
            effect=effect, follow_up_id=follow_up_id, received_at=now))
        return inbound_id
