"""Append every compliance decision to the audit table (``compliance_decisions``).

Used by the HTTP check endpoint; the stored contact gate writes its own rows in the same
transaction as the attempt it reserves.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.bulk import SQLITE_INSTANT, insert_rows
from arrears.adapters.storage.gate_tables import compliance_decisions

COLUMNS = (
    "decided_for", "mode", "request_digest", "request_id", "account_id", "customer_id", "channel",
    "agent_id", "pack_versions", "decision", "rules", "reasons", "warnings", "caller", "facts_enc",
)


def _row(raw: dict[str, Any], answer: dict[str, Any], mode: str, dialect: str, *, caller: str | None,
         cipher: FieldCipher | None) -> tuple[Any, ...]:
    action = raw.get("action") or {}
    debts = action.get("debt_ids") or [None]
    at: Any = datetime.fromisoformat(str(raw["at"]).replace("Z", "+00:00")).astimezone(UTC)
    if dialect != "postgresql":
        at = at.strftime(SQLITE_INSTANT.replace("%6f", "%f"))
    facts = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(facts.encode()).hexdigest()
    return (
        at, mode, digest, str(raw.get("id")), debts[0], (raw.get("debtor") or {}).get("id"),
        action.get("channel"), (action.get("agent") or {}).get("id"),
        json.dumps(answer.get("pack_versions") or {}), answer["decision"], json.dumps(answer["rules"]),
        json.dumps(answer["reasons"], ensure_ascii=False), json.dumps(answer["warnings"], ensure_ascii=False),
        caller[:120] if caller else None, cipher.encrypt(facts) if cipher else None,
    )


def record_decisions(engine: Engine, pairs: list[tuple[Any, dict[str, Any]]], mode: str = "check",
                     caller: str | None = None, cipher: FieldCipher | None = None) -> int:
    """Store (request, answer) pairs that are decisions; error answers are not decisions. ``caller`` names
    who asked (``user:<username>`` or ``service:<token name>``)."""
    rows = [_row(raw, answer, mode, engine.dialect.name, caller=caller, cipher=cipher) for raw, answer in pairs
            if "decision" in answer and isinstance(raw, dict)]
    if not rows:
        return 0
    with engine.begin() as connection:
        return insert_rows(connection, compliance_decisions, COLUMNS, rows)


def record_checked_lines(engine: Engine, answered: list[tuple[bytes, dict[str, Any]]], *, caller: str,
                         cipher: FieldCipher | None = None) -> int:
    """Store the decisions of a checked file (``arrears compliance check``): each line decoded
    again for the facts it carried; lines answered with an error are not decisions."""
    from arrears.services.compliance_check import decode

    return record_decisions(engine, [(decode(line), answer) for line, answer in answered if "decision" in answer],
                            caller=caller, cipher=cipher)
