"""A small stand-in for the compliance gate, speaking the compliance-check-v1 dict contract.

Rules: no collection 22:00-08:00 in Beijing and in every debtor zone; holds on cease,
dispute, deceased, bankruptcy; an active installment plan allows service messages only;
only the debtor; at most 6 unanswered dials to a number and 3 conversations a day.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

HOLDS = ("cease_communication", "dispute_open", "deceased", "bankruptcy")
UNANSWERED = {"no_answer", "busy", "voicemail", None}


def fake_gate(request: dict) -> dict:
    rules = []
    at = datetime.fromisoformat(request["at"])
    zones = {*request["debtor"]["zones"], "Asia/Shanghai"}
    if any(not 8 <= at.astimezone(ZoneInfo(z)).hour < 22 for z in zones):
        rules.append("FAKE-TIME")
    flags = request["debtor"].get("flags") or {}
    if any(flags.get(f) for f in HOLDS):
        rules.append("FAKE-HOLD")
    action = request["action"]
    if flags.get("installment_plan_active") and action.get("purpose") != "service":
        rules.append("FAKE-PLAN")
    if action["to"]["party"] != "debtor":
        rules.append("FAKE-3P")
    day = at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    today = [h for h in request.get("history") or []
             if datetime.fromisoformat(h["at"]).astimezone(ZoneInfo("Asia/Shanghai")).date() == day]
    if action["channel"] == "call":
        same = [h for h in today if h["channel"] == "call" and (h.get("to") or {}).get("address") == action["to"]["address"]
                and h.get("outcome") in UNANSWERED]
        if len(same) >= 6:
            rules.append("FAKE-FREQ-02")
        if sum(1 for h in today if h["channel"] == "call" and h.get("outcome") == "conversation") >= 3:
            rules.append("FAKE-FREQ-01")
    return {"id": request["id"], "decision": "deny" if rules else "allow", "rules": rules,
            "reasons": rules, "warnings": []}
