"""The SQL audit trail: append and read, never update or delete (see ``audit_tables``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.text_filters import starts_with
from arrears.adapters.storage.values import from_utc, to_utc
from arrears.services.arrangement_ports import AuditEntry


class SqlAuditLog:
    """Appends entries inside the caller's transaction; the unit of work commits them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def append(self, entry: AuditEntry) -> None:
        self._connection.execute(
            insert(audit_events).values(
                at=to_utc(entry.at),
                actor=entry.actor,
                action=entry.action,
                subject=entry.subject,
                before=entry.before,
                after=entry.after,
                detail=json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True),
            )
        )


@dataclass(frozen=True, slots=True)
class StoredAuditEvent:
    event_id: int
    at: datetime
    actor: str
    action: str
    subject: str
    before: str
    after: str
    detail: dict[str, object]


def read_audit(
    connection: Connection,
    *,
    subject: str | None = None,
    subject_prefix: str | None = None,
    action: str | None = None,
    limit: int = 1000,
) -> tuple[StoredAuditEvent, ...]:
    """Entries in the order they were appended, filtered by subject or action."""
    query = select(audit_events).order_by(audit_events.c.event_id).limit(limit)
    if subject is not None:
        query = query.where(audit_events.c.subject == subject)
    if subject_prefix is not None:
        query = query.where(starts_with(audit_events.c.subject, subject_prefix))
    if action is not None:
        query = query.where(audit_events.c.action == action)
    return tuple(
        StoredAuditEvent(
            r.event_id,
            from_utc(r.at),
            r.actor,
            r.action,
            r.subject,
            r.before,
            r.after,
            json.loads(r.detail),
        )
        for r in connection.execute(query)
    )
