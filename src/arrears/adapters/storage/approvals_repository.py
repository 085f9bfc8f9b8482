"""The SQL repository of maker–checker approval requests (``approval_requests``), on the unit
of work's connection. A decision is stored with a compare-and-set on the pending status, so
two checkers deciding at once cannot both succeed (the second finds nothing to update)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from arrears.adapters.storage.arrangements_tables import approval_requests
from arrears.adapters.storage.values import from_utc, optional_utc, to_utc
from arrears.domain.arrangements.approval_requests import Approval, ApprovalKind, ApprovalStatus
from arrears.domain.arrangements.approvals import Role


def approval_row(a: Approval) -> dict[str, Any]:
    return {
        "approval_id": a.approval_id,
        "kind": str(a.kind),
        "account_id": a.account_id,
        "parameters": json.dumps(dict(a.parameters), ensure_ascii=False, sort_keys=True),
        "maker": a.maker,
        "required_authority": str(a.required_authority),
        "status": str(a.status),
        "decided_by": a.decided_by or None,
        "decided_at": None if a.decided_at is None else to_utc(a.decided_at),
        "reason": a.reason,
        "created_at": to_utc(a.created_at),
    }


def approval_from_row(r: Row) -> Approval:
    return Approval(
        r.approval_id,
        ApprovalKind(r.kind),
        r.account_id,
        {str(k): str(v) for k, v in json.loads(r.parameters).items()},
        r.maker,
        Role(r.required_authority),
        from_utc(r.created_at),
        ApprovalStatus(r.status),
        r.decided_by or "",
        optional_utc(r.decided_at),
        r.reason,
    )


class SqlApprovals:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, approval_id: str) -> Approval | None:
        row = self._c.execute(select(approval_requests).where(approval_requests.c.approval_id == approval_id)).first()
        return None if row is None else approval_from_row(row)

    def add(self, approval: Approval) -> None:
        self._c.execute(insert(approval_requests).values(**approval_row(approval)))

    def decide(self, approval: Approval) -> bool:
        c = approval_requests.c
        values = approval_row(approval)
        changed = self._c.execute(
            update(approval_requests)
            .where(c.approval_id == approval.approval_id, c.status == str(ApprovalStatus.PENDING))
            .values(status=values["status"], decided_by=values["decided_by"], decided_at=values["decided_at"],
                    reason=values["reason"])
        )
        return changed.rowcount == 1

    def listed(self, status: ApprovalStatus) -> tuple[Approval, ...]:
        c = approval_requests.c
        query = select(approval_requests).where(c.status == str(status)).order_by(
            c.created_at.desc(), c.approval_id.desc()
        )
        return tuple(approval_from_row(r) for r in self._c.execute(query))
