"""Contact points changed in the workbench (``contact_point_tables``): a point added the way ingest
stores one (``portfolio_loaders.contact_value_columns``: encrypted, keyed lookup hash, mask), the
latest state written on the point and kept in the append-only ``contact_point_changes``, laid
again over a later portfolio file by ingest, and read by the planner with its value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.bulk import update_rows
from arrears.adapters.storage.contact_point_tables import contact_point_changes
from arrears.adapters.storage.portfolio_loaders import contact_value_columns
from arrears.domain.contact_points import PointChange, PointState

STATE = ("owner", "status", "consent", "do_not_contact")


@dataclass(frozen=True, slots=True)
class NewPoint:
    """A point to add: ``value`` normalised (E.164, a lower-case e-mail address)."""

    contact_point_id: str
    customer_id: str
    kind: str
    value: str
    relation: str | None
    source: str
    state: PointState


@dataclass(frozen=True, slots=True)
class Change:
    """One change as recorded (who and when in ``by`` and ``at``)."""

    contact_point_id: str
    customer_id: str
    account_id: str
    change: PointChange
    state: PointState
    by: str
    at: datetime
    reason: str | None = None
    consent_method: str | None = None
    consent_scope: str | None = None
    consent_on: date | None = None


def _row_digest(cipher: FieldCipher, point: NewPoint) -> str:
    """A keyed digest as ingest keeps one per row (never equal to a file row's: a file has no such id)."""
    return cipher.lookup_hash(f"workbench\x1f{point.contact_point_id}\x1f{point.value}")[:32]


def add_point(connection: Connection, cipher: FieldCipher, point: NewPoint) -> str:
    """Store ``point`` as ingest stores a point (the value encrypted, hashed and masked)."""
    enc, hashed, masked = (series[0] for series in contact_value_columns(cipher, [point.kind], [point.value]))
    connection.execute(insert(t.contact_points).values(
        contact_point_id=point.contact_point_id, customer_id=point.customer_id, kind=point.kind, value_enc=enc,
        value_hash=hashed, value_masked=masked, relation=point.relation, source=point.source,
        employer_provided=None, row_digest=_row_digest(cipher, point), in_portfolio=True,
        **_state(point.state)))
    return point.contact_point_id


def _state(state: PointState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in STATE}


def point_of(connection: Connection, customer_id: str, contact_point_id: str) -> dict[str, Any] | None:
    """The customer's point (in the portfolio or added here), without its value."""
    p = t.contact_points.c
    row = connection.execute(select(p.contact_point_id, p.kind, p.owner, p.status, p.consent, p.do_not_contact,
                                    p.value_hash, p.value_masked).where(
        p.contact_point_id == contact_point_id, p.customer_id == customer_id, p.in_portfolio.is_(True),
    )).mappings().first()
    return dict(row) if row else None


def jurisdiction_of(connection: Connection, customer_id: str) -> str | None:
    c = t.customers.c
    return connection.execute(select(c.jurisdiction).where(c.customer_id == customer_id)).scalar()


def has_value(connection: Connection, customer_id: str, value_hash: str) -> bool:
    p = t.contact_points.c
    found = connection.execute(select(p.contact_point_id).where(
        p.customer_id == customer_id, p.value_hash == value_hash, p.in_portfolio.is_(True)).limit(1)).first()
    return found is not None


def record_change(connection: Connection, change: Change) -> None:
    """The point's new state, on the point and in the append-only record of changes."""
    connection.execute(update(t.contact_points).where(t.contact_points.c.contact_point_id == change.contact_point_id)
                       .values(_state(change.state)))
    connection.execute(insert(contact_point_changes).values(
        contact_point_id=change.contact_point_id, customer_id=change.customer_id, account_id=change.account_id,
        change=change.change.value, reason=change.reason, consent_method=change.consent_method,
        consent_scope=change.consent_scope, consent_on=change.consent_on, changed_by=change.by,
        changed_at=change.at, **_state(change.state)))


def changes_of(connection: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's points' changes, newest first (what the page shows beside each point)."""
    c = contact_point_changes.c
    return [dict(r) for r in connection.execute(select(contact_point_changes).where(c.customer_id == customer_id)
                                                .order_by(c.change_id.desc())).mappings()]


def _latest(connection: Connection) -> dict[str, dict[str, Any]]:
    """Each changed point's latest state, and whether it was added here."""
    c = contact_point_changes.c
    latest: dict[str, dict[str, Any]] = {}
    for row in connection.execute(select(c.contact_point_id, c.change, *(c[n] for n in STATE))
                                  .order_by(c.change_id)).mappings():
        added = latest.get(row["contact_point_id"], {}).get("added", False) or row["change"] == PointChange.ADDED
        latest[row["contact_point_id"]] = {**{n: row[n] for n in STATE}, "added": added}
    return latest


def reapply_contact_point_changes(connection: Connection) -> int:
    """After ingest loaded a portfolio's contact points: the latest change made in the workbench
    stands over what the file says, and a point a customer gave a collector stays (a file
    leaves it out: it never had it). Returns the number of points written."""
    latest = _latest(connection)
    rows: Sequence[tuple[Any, ...]] = [(point_id, *(s[n] for n in STATE)) for point_id, s in latest.items()]
    update_rows(connection, t.contact_points, "contact_point_id", STATE, rows)
    added = [point_id for point_id, s in latest.items() if s["added"]]
    if added:
        connection.execute(update(t.contact_points).where(t.contact_points.c.contact_point_id.in_(added))
                           .values(in_portfolio=True))
    return len(rows)


def changed_points_for_planning(connection: Connection, cipher: FieldCipher) -> list[dict[str, Any]]:
    """The points changed in the workbench as the planner's frames hold points (portfolio-v1 words,
    the value in clear: the planner works on the file's plain values)."""
    p, c = t.contact_points.c, contact_point_changes.c
    rows = connection.execute(select(p.contact_point_id, p.customer_id, p.kind, p.value_enc, p.owner, p.consent,
                                     p.status, p.do_not_contact)
                              .where(p.contact_point_id.in_(select(c.contact_point_id)), p.in_portfolio.is_(True))
                              .order_by(p.contact_point_id)).mappings()
    return [{**{k: v for k, v in r.items() if k != "value_enc"}, "value": cipher.decrypt(r["value_enc"])}
            for r in rows]
