"""The append-only audit trail shared by every capability: who did what to which subject,
when (UTC), with a before/after summary and structured detail (JSON text).

Rows are only ever inserted (see ``arrangements_repository.SqlAuditLog``); there is no update or delete
path in the code. ``subject`` is ``kind:id`` (``plan:PL1``, ``account:A1``) so one index
answers "everything that happened to this thing"."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from arrears.adapters.storage.tables import instant, table

audit_events = table(
    "audit_events",
    Column(
        "event_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    instant("at", nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
    Column("prev_hash", String(64)),  # the hash chain (domain.audit_chain), set when sealed
    Column("row_hash", String(64)),
)
Index("ix_audit_events_subject", audit_events.c.subject, audit_events.c.event_id)
Index("ix_audit_events_at", audit_events.c.at)
Index("ix_audit_events_action", audit_events.c.action, audit_events.c.at)


def _chain_link(name: str, link: str, at: str) -> Table:
    """One row per log naming a row of its hash chain: the row's id and hash (``{link}_id``,
    ``{link}_hash``) and when it was named (``at``)."""
    return table(
        name,
        Column("log", String(40), primary_key=True),
        Column(f"{link}_id", Integer, nullable=False),
        Column(f"{link}_hash", String(64), nullable=False),
        instant(at, nullable=False),
    )


# The head of each log's hash chain (``audit_chain``): the last sealed row's id and hash.
chain_heads = _chain_link("audit_chain_heads", "last", "sealed_at")

# Where a log's chain starts again after retention dropped its oldest months (PostgreSQL month
# partitions of compliance_decisions): the last dropped row's id and hash. Verify links the first
# kept row to ``after_hash`` instead of the genesis.
chain_anchors = _chain_link("audit_chain_anchors", "after", "dropped_at")
