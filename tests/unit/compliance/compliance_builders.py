"""Small builders for compliance-check requests and screenings used by the tests."""

from __future__ import annotations

from typing import Any

from arrears.compliance.gate import check
from arrears.compliance.packs import GateConfig
from arrears.compliance.request import Answer, parse_request
from arrears.compliance.screening.types import Category, Finding, Screening, Severity

MOBILE = "+8613800138000"


def request(
    *,
    at: str = "2026-11-30T10:00:00+08:00",
    packs: tuple[str, ...] = ("CN",),
    channel: str = "call",
    party: str = "debtor",
    kind: str | None = "mobile",
    address: str | None = MOBILE,
    zones: tuple[str, ...] = ("Asia/Shanghai",),
    flags: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    debt_ids: tuple[str, ...] | None = ("A1001",),
    language: str | None = None,
    **action: Any,
) -> dict[str, Any]:
    return {
        "id": "T1",
        "packs": list(packs),
        "language": language,
        "at": at,
        "action": {
            "channel": channel,
            "to": {"party": party, "kind": kind, "address": address},
            "debt_ids": list(debt_ids) if debt_ids is not None else None,
            **action,
        },
        "debtor": {"id": "C42", "zones": list(zones), "flags": flags or {}},
        "history": history or [],
    }


def attempt(
    at: str,
    outcome: str = "no_answer",
    *,
    channel: str = "call",
    party: str = "debtor",
    kind: str | None = "mobile",
    address: str | None = MOBILE,
    debt_ids: tuple[str, ...] | None = ("A1001",),
    direction: str = "outbound",
    agency_id: str | None = None,
) -> dict[str, Any]:
    return {
        "at": at,
        "channel": channel,
        "direction": direction,
        "to": {"party": party, "kind": kind, "address": address},
        "debt_ids": list(debt_ids) if debt_ids is not None else None,
        "outcome": outcome,
        "agency_id": agency_id,
    }


def screened(
    *found: tuple[Category, Severity] | Category,
    mentions_debt: bool = False,
    has_opt_out: bool = False,
    self_identifies: bool = True,
) -> Screening:
    findings = []
    for item in found:
        category, severity = item if isinstance(item, tuple) else (item, Severity.HIGH)
        findings.append(Finding(category, severity, category.value, f"<{category.value}>", "zh"))
    return Screening(
        findings=tuple(findings),
        mentions_debt=mentions_debt,
        has_opt_out=has_opt_out,
        self_identifies=self_identifies,
    )


def judge(
    raw: dict[str, Any], screening: Screening | None = None, config: GateConfig | None = None
) -> Answer:
    result = screening if screening is not None else screened()

    def fake_screener(_text: str) -> Screening:
        return result

    return check(parse_request(raw), screener=fake_screener, config=config)


def failed(raw: dict[str, Any], screening: Screening | None = None, **kw: Any) -> list[str]:
    return judge(raw, screening, **kw).rules


def warned(raw: dict[str, Any], screening: Screening | None = None) -> list[str]:
    return [w.split(":")[0] for w in judge(raw, screening).warnings]
