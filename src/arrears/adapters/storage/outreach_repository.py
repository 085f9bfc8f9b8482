"""The outbox and the recipients on SQLite or PostgreSQL, in one transaction per unit of work.

A claim is one conditional UPDATE (pending, due for a retry, or a lease that ran out), so two
dispatchers can never hold the same row; the row's state is read back in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.outreach_replies import SqlReplyStore
from arrears.adapters.storage.outreach_tables import outbox_messages
from arrears.domain.money import spoken_amount
from arrears.domain.outreach import Claimed, PlannedMessage, Recipient, StoredMessage
from arrears.domain.vocabulary import OutboxState

o = outbox_messages.c
CHUNK = 500
KINDS_OF = {"sms": ("mobile",), "email": ("email",), "letter": ("postal",)}


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def enqueue(self, messages: Sequence[PlannedMessage], now: datetime) -> dict[str, OutboxState]:
        by_id = {m.message_id: m for m in messages}
        ids = list(by_id)
        before: dict[str, OutboxState] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self.connection.execute(
                select(o.message_id, o.state).where(o.message_id.in_(ids[start:start + CHUNK]))).all()
            before.update({r.message_id: OutboxState(r.state) for r in rows})
        new = [{"message_id": mid, "account_id": m.account_id, "customer_id": m.customer_id, "channel": m.channel,
                "contact_point_id": m.contact_point_id, "scheduled_at": m.scheduled_at.astimezone(UTC),
                "template": m.template, "offer": m.offer, "state": OutboxState.PENDING.value, "tries": 0,
                "enqueued_at": now, "updated_at": now}
               for mid, m in by_id.items() if mid not in before]
        for start in range(0, len(new), 5000):
            self.connection.execute(insert(outbox_messages), new[start:start + 5000])
        return before

    def claim(self, message_id: str, *, now: datetime, lease_until: datetime) -> Claimed | None:
        claimable = or_(
            and_(o.state.in_((OutboxState.PENDING.value, OutboxState.RETRY.value)),
                 or_(o.next_try_at.is_(None), o.next_try_at <= now)),
            and_(o.state == OutboxState.SENDING.value, o.lease_until < now),
        )
        done = self.connection.execute(
            update(outbox_messages).where(o.message_id == message_id, claimable)
            .values(state=OutboxState.SENDING.value, lease_until=lease_until, tries=o.tries + 1, updated_at=now))
        if done.rowcount != 1:
            return None
        row = self.connection.execute(select(outbox_messages).where(o.message_id == message_id)).one()
        message = PlannedMessage(row.account_id, row.customer_id, row.channel, row.contact_point_id,
                                 _utc(row.scheduled_at) or now, row.template, row.offer)
        return Claimed(message, message_id, row.tries, row.attempt_id)

    def state_of(self, message_id: str) -> OutboxState | None:
        state = self.connection.execute(select(o.state).where(o.message_id == message_id)).scalar()
        return None if state is None else OutboxState(state)

    def _set(self, message_id: str, now: datetime, **values: Any) -> None:
        self.connection.execute(update(outbox_messages).where(o.message_id == message_id)
                                .values(updated_at=now, **values))

    def reserved(self, message_id: str, attempt_id: str, now: datetime) -> None:
        self._set(message_id, now, attempt_id=attempt_id)

    def denied(self, message_id: str, rules: Iterable[str], now: datetime) -> None:
        self._set(message_id, now, state=OutboxState.DENIED.value, rules=" ".join(rules), lease_until=None,
                  attempt_id=None)

    def sent(self, message_id: str, provider_id: str, now: datetime) -> None:
        self._set(message_id, now, state=OutboxState.SENT.value, provider_id=provider_id or None, lease_until=None)

    def failed(self, message_id: str, reason: str, now: datetime) -> None:
        self._set(message_id, now, state=OutboxState.FAILED.value, reason=reason[:2000], lease_until=None)

    def retry(self, message_id: str, at: datetime, reason: str, now: datetime) -> None:
        self._set(message_id, now, state=OutboxState.RETRY.value, next_try_at=at, reason=reason[:2000],
                  lease_until=None, attempt_id=None)

    def due(self, instant: datetime, now: datetime, limit: int) -> list[str]:
        waiting = and_(o.state.in_((OutboxState.PENDING.value, OutboxState.RETRY.value)),
                       o.scheduled_at <= instant, or_(o.next_try_at.is_(None), o.next_try_at <= now))
        stale = and_(o.state == OutboxState.SENDING.value, o.lease_until < now)
        rows = self.connection.execute(select(o.message_id).where(or_(waiting, stale))
                                       .order_by(o.scheduled_at, o.message_id).limit(limit)).scalars()
        return list(rows)

    def by_provider_id(self, provider_id: str) -> StoredMessage | None:
        return self._stored(o.provider_id == provider_id)

    def by_message_id(self, message_id: str) -> StoredMessage | None:
        return self._stored(o.message_id == message_id)

    def _stored(self, which: Any) -> StoredMessage | None:
        row = self.connection.execute(
            select(o.message_id, o.account_id, o.customer_id, o.contact_point_id, o.channel, o.state, o.attempt_id,
                   o.delivery).where(which)).first()
        if row is None:
            return None
        return StoredMessage(row.message_id, row.account_id, row.customer_id, row.contact_point_id, row.channel,
                             OutboxState(row.state), row.attempt_id, row.delivery)

    def delivered(self, message_id: str, status: str, now: datetime, reason: str | None = None) -> None:
        self._set(message_id, now, delivery=status, **({"reason": reason[:2000]} if reason is not None else {}))

    def count_delivered(self, contact_point_id: str, status: str) -> int:
        return self.connection.execute(
            select(func.count()).select_from(outbox_messages)
            .where(o.contact_point_id == contact_point_id, o.delivery == status)).scalar_one()


class SqlRecipients:
    """The number or address (decrypted) and the template facts of a planned message."""

    def __init__(self, connection: Connection, cipher: FieldCipher, institution: str) -> None:
        self.connection, self.cipher, self.institution = connection, cipher, institution

    def find(self, account_id: str, contact_point_id: str, channel: str) -> Recipient | None:
        a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
        row = self.connection.execute(
            select(a.account_id, a.currency, a.past_due_cents, a.agency_id, c.name_masked, c.language,
                   c.jurisdiction, p.kind, p.value_enc, p.status, t.agencies.c.name.label("agency"))
            .join(t.customers, c.customer_id == a.customer_id)
            .join(t.contact_points, and_(p.customer_id == a.customer_id, p.contact_point_id == contact_point_id))
            .outerjoin(t.agencies, t.agencies.c.agency_id == a.agency_id)
            .where(a.account_id == account_id)).first()
        if row is None or row.kind not in KINDS_OF.get(channel, ()):
            return None
        language = "en" if row.language == "en" else "zh"
        facts = {
            "name": row.name_masked or "", "tail": row.account_id[-4:],
            "institution": row.agency or self.institution, "creditor": self.institution,
            "agent": "—", "jurisdiction": row.jurisdiction or "CN",
            "past_due": spoken_amount(row.past_due_cents or 0, row.currency or "CNY", language),
            "past_due_cents": str(row.past_due_cents or 0), "currency": row.currency or "CNY",
            "agency": row.agency or "",
        }
        return Recipient(self.cipher.decrypt(row.value_enc), language, facts, invalid=row.status == "invalid")


class SqlOutreachUnitOfWork:
    def __init__(self, engine: Engine, cipher: FieldCipher, institution: str) -> None:
        self.engine, self.cipher, self.institution = engine, cipher, institution

    def __enter__(self) -> Self:
        self._connection = self.engine.connect()
        self._transaction = self._connection.begin()
        self.outbox = SqlOutbox(self._connection)
        self.recipients = SqlRecipients(self._connection, self.cipher, self.institution)
        self.replies = SqlReplyStore(self._connection, self.cipher)
        return self

    @property
    def connection(self) -> Connection:
        return self._connection

    def commit(self) -> None:
        self._transaction.commit()
        self._transaction = self._connection.begin()

    def __exit__(self, *args: object) -> None:
        self._transaction.rollback()
        self._connection.close()
