"""compliance-check-v1 requests for planned attempts, and the ``Gate`` seam.

A ``Gate`` is any callable taking one request dict (compliance-check-v1) and returning the
answer dict (``decision`` allow | deny | review, ``rules``, ``reasons``). ``default_gate``
wraps ``arrears.compliance.gate.check``. The request carries packs from
customers.jurisdiction, zones from customers.timezone, flags from accounts.flags, and the
debtor's history from contacts.csv plus the attempts planned before it in the same plan
(outcome null: not known yet).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl

Gate = Callable[[dict[str, Any]], dict[str, Any]]

FLAG_NAMES = {
    "dispute": "dispute_open", "cease": "cease_communication", "attorney": "attorney_represented",
    "deceased": "deceased", "bankruptcy": "bankruptcy", "installment_plan": "installment_plan_active",
    "time_barred": "time_barred", "litigation_authorized": "litigation_authorized",
}
GATE_KIND = {"mobile": "mobile", "home": "home", "work": "work", "email": "personal_email", "postal": "postal"}
HISTORY_DAYS = 35  # every gate rule looks back at most 30 days (CN effective-collection spacing)


class GateUnavailable(RuntimeError):
    pass


def default_gate() -> Gate:
    """The real compliance gate (arrears.compliance.gate.check) behind the dict contract."""
    try:
        from arrears.compliance.gate import check
        from arrears.compliance.request import RequestError, parse_request
    except ImportError as error:  # pragma: no cover - depends on what is installed
        raise GateUnavailable("the compliance gate (arrears.compliance.gate) is not installed") from error

    def gate(request: dict[str, Any]) -> dict[str, Any]:
        try:
            parsed = parse_request(request)
        except RequestError as error:
            return {"id": request.get("id"), "decision": "deny", "rules": ["REQUEST"], "reasons": [str(error)]}
        answer = check(parsed)
        return {"id": answer.id, "decision": str(answer.decision), "rules": list(answer.rules),
                "reasons": list(answer.reasons)}

    return gate


def debtor_flags(flags: list[str]) -> dict[str, bool]:
    return {FLAG_NAMES[f]: True for f in flags if f in FLAG_NAMES}


def recent_history(contacts: pl.DataFrame, points: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The last ``HISTORY_DAYS`` days of contacts, narrowed to what a request history holds,
    instants as UTC text (so text order is time order), oldest first per customer."""
    since = as_of - timedelta(days=HISTORY_DAYS)
    return (
        contacts.filter(pl.col("at").is_not_null() & (pl.col("at").dt.date() >= since))
        .join(points.select("contact_point_id", "kind", "value"), on="contact_point_id", how="left")
        .sort("customer_id", "at", "contact_id")
        .select("customer_id", pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "channel", "direction",
                "party", "kind", "value", "account_id", "outcome", "agency_id")
    )


def history_by_customer(recent: pl.DataFrame, customers: pl.Series) -> dict[str, list[dict[str, Any]]]:
    """Request history entries of the given customers, from ``recent_history``."""
    rows = recent.join(customers.to_frame("customer_id"), on="customer_id", how="semi")
    out: dict[str, list[dict[str, Any]]] = {}
    for cid, at, channel, direction, party, kind, value, account, outcome, agency in rows.iter_rows():
        to = {"party": party if party in _PARTIES else None, "kind": GATE_KIND.get(kind), "address": value}
        out.setdefault(cid, []).append({
            "at": at, "channel": channel if channel in _CHANNELS else "call", "direction": direction,
            "to": to, "debt_ids": [account], "outcome": outcome if outcome in _OUTCOMES else None,
            "agency_id": agency,
        })
    return out


_PARTIES = frozenset({"debtor", "spouse", "guarantor", "emergency_contact", "third_party", "attorney", "employer",
                      "unknown"})
_CHANNELS = frozenset({"call", "voicemail", "sms", "email", "letter", "visit"})
_OUTCOMES = frozenset({"conversation", "answered_other", "no_answer", "voicemail", "dropped", "busy",
                       "not_in_service", "wrong_number", "delivered", "failed", "bounced", "refused", "dispute"})


def request_for(attempt: dict[str, Any], history: list[dict[str, Any]], agencies: dict[str, dict[str, Any]]
                ) -> dict[str, Any]:
    """The compliance-check-v1 request for one planned attempt (a row of the plan builder)."""
    agency = agencies.get(attempt["agency_id"]) if attempt.get("agency_id") else None
    return {
        "id": f"{attempt['account_id']}:{attempt['channel']}:{attempt['contact_point_id']}",
        "packs": attempt["packs"],
        "language": attempt.get("language") if attempt.get("language") in ("zh", "en") else None,
        "at": attempt["at"],
        "action": {
            "channel": attempt["channel"],
            "to": {"party": attempt.get("party", "debtor"), "kind": GATE_KIND.get(attempt["kind"]),
                   "address": attempt["address"]},
            "debt_ids": [attempt["account_id"]],
            "automated": attempt["channel"] != "call",
            "message": attempt.get("message"),
            "agent": None,
            "agency": agency,
            "purpose": attempt.get("purpose", "collection"),
        },
        "debtor": {"id": attempt["customer_id"], "zones": [attempt["zone"]], "flags": debtor_flags(attempt["flags"])},
        "history": history,
    }


def planned_entry(attempt: dict[str, Any]) -> dict[str, Any]:
    """A planned attempt as a history entry for the attempts planned after it."""
    return {"at": attempt.get("at_history", attempt["at"]), "channel": attempt["channel"], "direction": "outbound",
            "to": {"party": attempt.get("party", "debtor"), "kind": GATE_KIND.get(attempt["kind"]),
                   "address": attempt["address"]},
            "debt_ids": [attempt["account_id"]], "outcome": None, "agency_id": attempt.get("agency_id")}


def agencies_by_id(agencies: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["agency_id"]: {"id": row["agency_id"], "authorized_until": row["authorized_until"],
                               "last_evaluation": row["last_evaluation"]}
            for row in agencies.iter_rows(named=True) if row["agency_id"]}
