"""What an examiner's file for one account holds, read from the stored ledgers: every contact (the
portfolio's history and the contact ledger), every compliance decision with its rules and pack
versions, and the cases (complaints, disputes, hardship requests) with how they were handled.
Texts of cases stay encrypted here; no names, numbers or addresses are read."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.cases_tables import cases
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class SqlExaminerRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def account(self, account_id: str) -> dict[str, Any] | None:
        a = t.accounts.c
        with self.engine.connect() as c:
            row = c.execute(select(a.account_id, a.customer_id, a.product, a.status, a.agency_id, a.flags)
                            .where(a.account_id == account_id)).mappings().first()
        return dict(row) if row else None

    def contacts(self, account_id: str) -> list[dict[str, Any]]:
        k, h = contact_attempts.c, t.contacts.c
        ledger = select(k.attempt_id.label("id"), k.at, k.channel, k.direction, k.party, k.purpose, k.outcome,
                        k.agent_id, k.agency_id, k.complaint, k.contact_point_id).where(k.account_id == account_id)
        history = select(h.contact_id.label("id"), h.at, h.channel, h.direction, h.party, h.outcome, h.agent_id,
                         h.agency_id, h.complaint, h.contact_point_id).where(h.account_id == account_id)
        with self.engine.connect() as c:
            rows = [{**dict(r), "source": "ledger"} for r in c.execute(ledger).mappings()]
            rows += [{**dict(r), "source": "portfolio", "purpose": None} for r in c.execute(history).mappings()]
        return sorted(({k: _iso(v) for k, v in r.items()} for r in rows), key=lambda r: (r["at"], r["id"]))

    def decisions(self, account_id: str) -> list[dict[str, Any]]:
        d = compliance_decisions.c
        query = (select(d.decision_id, d.decided_for, d.mode, d.channel, d.agent_id, d.caller, d.decision, d.rules,
                        d.reasons, d.warnings, d.pack_versions, d.row_hash)
                 .where(d.account_id == account_id).order_by(d.decided_for, d.decision_id))
        found = []
        with self.engine.connect() as c:
            for r in c.execute(query).mappings():
                row = {k: _iso(v) for k, v in r.items()}
                for key in ("rules", "reasons", "warnings", "pack_versions"):
                    row[key] = json.loads(row[key] or "null")
                found.append(row)
        return found

    def cases(self, account_id: str) -> list[dict[str, Any]]:
        s = cases.c
        query = (select(s.case_id, s.kind, s.status, s.raised_by, s.owner_user_id, s.jurisdiction, s.due_on,
                        s.due_rule, s.opened_at, s.updated_at, s.closed_at)
                 .where(s.account_id == account_id).order_by(s.opened_at))
        with self.engine.connect() as c:
            return [{k: _iso(v) for k, v in r.items()} for r in c.execute(query).mappings()]
