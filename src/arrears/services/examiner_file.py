"""An examiner's file for one account (监管检查档案): every contact, every compliance decision with
its rule, citation and pack version, and the complaints, disputes and hardship requests with their
handling, in one JSON document (and a PDF of it). No personal data beyond ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from arrears.compliance.packs import PACK_ORDER, load_pack


class ExaminerRecords(Protocol):
    def account(self, account_id: str) -> dict[str, Any] | None: ...
    def contacts(self, account_id: str) -> list[dict[str, Any]]: ...
    def decisions(self, account_id: str) -> list[dict[str, Any]]: ...
    def cases(self, account_id: str) -> list[dict[str, Any]]: ...


class UnknownAccount(LookupError):
    """No such account."""


def _citations() -> dict[str, dict[str, str]]:
    found = {}
    for code in PACK_ORDER:
        pack = load_pack(code)
        for spec in pack.rules:
            found[spec.id] = {"pack": pack.code, "version": pack.version, "citation": spec.citation,
                              "confidence": spec.confidence, "meaning_zh": spec.meaning_zh,
                              "meaning_en": spec.meaning_en}
    return found


def examiner_file(records: ExaminerRecords, account_id: str, generated_at: datetime) -> dict[str, Any]:
    account = records.account(account_id)
    if account is None:
        raise UnknownAccount(f"no account {account_id}")
    decisions = records.decisions(account_id)
    cited = sorted({rule for d in decisions for rule in d.get("rules") or []})
    catalogue = _citations()
    contacts = records.contacts(account_id)
    return {
        "account": account,
        "generated_at": generated_at.isoformat(),
        "summary": {"contacts": len(contacts), "decisions": len(decisions),
                    "denied": sum(1 for d in decisions if d["decision"] == "deny"),
                    "complaints": sum(1 for c in contacts if c.get("complaint"))},
        "contacts": contacts,
        "decisions": decisions,
        "rules": {rule: catalogue.get(rule, {"citation": "", "meaning_en": "not in the shipped packs"})
                  for rule in cited},
        "cases": records.cases(account_id),
    }
