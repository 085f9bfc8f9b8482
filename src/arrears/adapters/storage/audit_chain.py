"""Sealing and reading the three append-only logs as hash chains (``domain.audit_chain``):
``audit_events``, ``access_audit`` and ``compliance_decisions``. Rows are written as before, on
the hot paths, without a chain lock; ``seal`` links the rows older than a settling time in id order
(one sealer at a time per log, under a lock on the log's head row), and ``read`` streams a log back
for ``verify``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, update

from arrears.adapters.storage.audit_tables import audit_events, chain_anchors, chain_heads
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.domain.audit_chain import GENESIS, Break, Head, first_break, link

LOGS: dict[str, tuple[Table, str, str]] = {  # log -> (table, id column, instant column)
    "audit_events": (audit_events, "event_id", "at"),
    "access_audit": (access_audit, "audit_id", "at"),
    "compliance_decisions": (compliance_decisions, "decision_id", "decided_for"),
}
BATCH = 5_000


def head(connection: Connection, log: str, *, lock: bool = False) -> Head | None:
    query = select(chain_heads.c.last_id, chain_heads.c.last_hash).where(chain_heads.c.log == log)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return Head(row.last_id, row.last_hash) if row else None


def anchor(connection: Connection, log: str) -> Head | None:
    """Where the log's chain starts again after retention dropped its oldest rows (None: the genesis)."""
    row = connection.execute(select(chain_anchors.c.after_id, chain_anchors.c.after_hash)
                             .where(chain_anchors.c.log == log)).first()
    return Head(row.after_id, row.after_hash) if row else None


def seal(connection: Connection, log: str, *, now: datetime, settle: timedelta) -> int:
    """Links every unsealed row written before ``now - settle``, in id order; returns how many."""
    table, key, _instant = LOGS[log]
    if head(connection, log) is None:
        connection.execute(chain_heads.insert().values(log=log, last_id=0, last_hash=GENESIS, sealed_at=now))
    current = head(connection, log, lock=True)
    assert current is not None
    last_id, last_hash, sealed = current.last_id, current.last_hash, 0
    cutoff = now - settle
    while True:
        rows = connection.execute(select(table).where(table.c[key] > last_id, table.c.row_hash.is_(None),
                                                      table.c[_instant] < cutoff)
                                  .order_by(table.c[key]).limit(BATCH)).mappings().all()
        if not rows:
            break
        for row in rows:
            row_hash = link(last_hash, dict(row))
            connection.execute(update(table).where(table.c[key] == row[key]).values(prev_hash=last_hash,
                                                                                   row_hash=row_hash))
            last_id, last_hash, sealed = row[key], row_hash, sealed + 1
    connection.execute(update(chain_heads).where(chain_heads.c.log == log).values(
        last_id=last_id, last_hash=last_hash, sealed_at=now))
    return sealed


def read(connection: Connection, log: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Every row of the log in id order, in batches."""
    table, key, _instant = LOGS[log]
    after = -1
    while True:
        rows = connection.execute(select(table).where(table.c[key] > after).order_by(table.c[key])
                                  .limit(BATCH)).mappings().all()
        if not rows:
            return
        for row in rows:
            yield row[key], dict(row)
        after = rows[-1][key]


class SqlAuditChains:
    """``services.audit.chain.AuditChains`` on the database: each log sealed in its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def logs(self) -> list[str]:
        return list(LOGS)

    def seal(self, log: str, *, now: datetime, settle: timedelta) -> int:
        with self.engine.begin() as connection:
            return seal(connection, log, now=now, settle=settle)

    def first_break(self, log: str) -> Break | None:
        with self.engine.connect() as connection:
            return first_break(log, read(connection, log), head(connection, log), anchor(connection, log))
