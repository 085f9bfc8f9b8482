"""A generated corpus of varied compliance-check requests, for the gate's decision digests.

Deterministic (one seeded generator, no clock): the same 2,500 requests every run. It mixes the
CN, US (alone and with the MA, NYC and WA overlays) and UK packs; instants around the quiet
hours (boundaries included), DST changes and rules' effective dates; every channel and party;
several debts; histories of 0-50 entries (inbound, planned, unrecorded outcomes, voicemails with
and without limited content, other agencies, third parties); the debtor flags (cease, dispute,
attorney, opt-outs, consent windows, inconvenient times and places, validation dates, ...);
agents, agencies and visitors with lapsed and current dates; message texts that the screening
passes, reviews and denies; and, about one request in 30, a value the contract refuses.

The texts are copied here (not read from tests/data) so that the corpus, and so its digests,
change only when this file does.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SIZE = 2500
SEED = 20261207

PACK_SETS: list[tuple[list[str], list[list[str]]]] = [
    (["CN"], [["Asia/Shanghai"], ["Asia/Shanghai"], ["Asia/Urumqi"], ["Asia/Shanghai", "America/Los_Angeles"]]),
    (["US"], [["America/New_York"], ["America/Chicago"], ["America/Los_Angeles"],
              ["America/New_York", "America/Los_Angeles"], ["America/Phoenix"], []]),
    (["US", "US-MA"], [["America/New_York"]]),
    (["US", "US-NYC"], [["America/New_York"], ["America/New_York", "America/Chicago"]]),
    (["US", "US-WA"], [["America/Los_Angeles"]]),
    (["UK"], [["Europe/London"], [], ["Europe/London", "Europe/Paris"]]),
    (["CN", "US"], [["Asia/Shanghai", "America/New_York"]]),
]
PACK_WEIGHTS = [34, 26, 8, 8, 6, 14, 4]

CHANNELS = ["call", "call", "call", "voicemail", "sms", "sms", "email", "letter", "visit"]
PARTIES = ["debtor"] * 12 + ["spouse", "guarantor", "emergency_contact", "employer", "third_party"]
HISTORY_PARTIES = ["debtor"] * 10 + ["spouse", "guarantor", "emergency_contact", "third_party", "employer",
                                      "attorney", "unknown"]
KINDS = {"call": ["mobile", "mobile", "home", "work"], "voicemail": ["mobile", "home"], "sms": ["mobile"],
         "email": ["personal_email", "personal_email", "work_email"], "letter": ["postal"], "visit": [None, "postal"]}
ADDRESSES = {"mobile": ["m1", "m2", "m3"], "home": ["h1"], "work": ["w1"], "personal_email": ["e1", "e2"],
             "work_email": ["we1"], "postal": ["p1", "p2"]}
OUTCOMES = {"call": ["conversation", "no_answer", "no_answer", "busy", "voicemail", "answered_other", "dropped",
                     "refused", "dispute", "not_in_service", "wrong_number", "failed", None],
            "voicemail": ["voicemail", "delivered", "busy", "failed", None],
            "sms": ["delivered", "delivered", "failed", "bounced", "wrong_number", None],
            "email": ["delivered", "bounced", "failed", None], "letter": ["delivered", "failed", None],
            "visit": ["conversation", "no_answer", "refused", "answered_other", None]}
PURPOSES = [None] * 6 + ["collection", "service", "location", "cease_reply", "opt_out_confirmation"]
DEBTS = ["A1", "A2", "A3", "A4"]
BOOLEAN_FLAGS = ["cease_communication", "attorney_represented", "dispute_open", "no_work_contact", "lost_contact",
                 "deceased", "bankruptcy", "installment_plan_active", "time_barred", "litigation_authorized",
                 "tcpa_consent", "criminal_referral_verified", "breathing_space", "dispute_hold",
                 "no_work_contact_in_writing"]

MESSAGES = [
    # professional (CN)
    "【XX银行】尊敬的客户，您尾号1234的信用卡本期账单应还金额为3,256.80元，最后还款日为6月25日，请按时还款。回复TD退订",
    "【XX银行】尊敬的张先生，您的信用卡已逾期5天，当前欠款1,280.00元，请尽快还款。如已还款请忽略本短信。回复TD退订",
    "尊敬的客户，您的信用卡账单已逾期，逾期记录将依法报送征信系统，为维护您的信用，请尽快还款。",
    "您好，我是XX银行信用卡中心工号8021的客服专员，想与您沟通一下本期账单的还款安排，方便时请回电4008-000-000。",
    "尊敬的客户，我们了解到您近期可能遇到困难，我行可为符合条件的客户提供延期还款或分期方案，详询95555。",
    "Acme Recovery（Big Bank）：本信息来自债务催收方。回复STOP退订",
    # abusive or unlawful (CN)
    "你这个老赖，欠钱不还还有脸接电话？",
    "ＳＢ，赶紧还钱",
    "你就是个捞赖，全村都知道",
    "三天之内不还钱，我们就上门找你",
    "再不还钱就通知你单位和通讯录里的所有人",
    "你再不还，警察会来抓你，等着坐牢吧",
    "我们是法院的，已经对你立案",
    "不还钱就让你孩子在学校抬不起头",
    "可以先在别的平台借钱把这笔还上",
    "我们将委托律师起诉你",
    "我们的工作人员近期将上门拜访，与您面谈还款事宜",
    # professional (EN)
    "Acme Recovery is a debt collector. We are trying to collect a debt that you owe to Big Bank. "
    "Reply STOP to stop texts to this number.",
    "Hi, this is Sam from Acme. Please call us back at 212-555-0100.",
    "Hi, this is John Smith. I am trying to confirm contact information for Jane Doe. Please call 212-555-0100.",
    "About your past due balance, call 212-555-0100.",
    "Your payment plan schedule: the next instalment of GBP 50.00 is due on 1 December.",
    # abusive or unlawful (EN)
    "Don't pay and we will sue",
    "You deadbeat, pay what you owe or else.",
    "If you do not pay today you will be arrested.",
    "We will tell your employer and your neighbours about this debt.",
    "This is the county court. Pay now to avoid a warrant.",
    "We will garnish your wages and take your house tomorrow.",
    "Click to unsubscribe",
]
VOICEMAIL_TEXTS = [None, "Hi, this is Sam from Acme, please call 212-555-0100.",
                   "This is about your past due balance, please call us.", "请回电 4008-000-000"]


def _instant(rng: random.Random, base: datetime, zone_names: list[str]) -> str:
    """`base` written in one of the debtor's zones, in UTC or with a fixed offset."""
    style = rng.random()
    if style < 0.45 and zone_names:
        return base.astimezone(ZoneInfo(rng.choice(zone_names))).isoformat()
    if style < 0.75:
        return base.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return base.astimezone(UTC).isoformat()


def _moment(rng: random.Random, zone_names: list[str]) -> datetime:
    """A judged instant: any day of 2026 (more around DST changes and effective dates), any
    hour, sometimes exactly on an hour boundary."""
    special = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 11, 1), date(2026, 10, 25),
               date(2026, 8, 31), date(2026, 9, 1), date(2026, 1, 30), date(2026, 1, 29)]
    day = rng.choice(special) if rng.random() < 0.2 else date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
    zone_name = zone_names[0] if zone_names else "UTC"
    if rng.random() < 0.25:
        hour, minute, second = rng.choice([8, 9, 20, 21, 22, 7]), 0, rng.choice([0, 0, 0, 1])
    elif rng.random() < 0.6:
        hour, minute, second = rng.randint(9, 19), rng.randint(0, 59), 0
    else:
        hour, minute, second = rng.randint(0, 23), rng.randint(0, 59), rng.choice([0, 0, 30])
    local = datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(zone_name))
    return local.astimezone(UTC)


def _person(rng: random.Random, at: datetime, name: str) -> dict[str, Any] | None:
    if rng.random() < 0.3:
        return None
    until = (at + timedelta(days=rng.randint(-30, 400))).date().isoformat() if rng.random() < 0.85 else None
    return {"id": name, "training_valid_until": until}


def _agency(rng: random.Random, at: datetime) -> dict[str, Any] | None:
    if rng.random() < 0.4:
        return None
    return {"id": rng.choice(["AG1", "AG2"]),
            "authorized_until": (at + timedelta(days=rng.randint(-20, 300))).date().isoformat(),
            "last_evaluation": (at - timedelta(days=rng.randint(10, 420))).date().isoformat()}


def _window(rng: random.Random) -> dict[str, Any]:
    start = rng.choice(["08:00", "12:00", "18:30", "20:00", "22:00"])
    end = rng.choice(["09:00", "13:30", "21:00", "07:00", "23:59"])
    window: dict[str, Any] = {"from": start, "to": end}
    if rng.random() < 0.5:
        window["weekdays"] = sorted(rng.sample(range(1, 8), rng.randint(1, 5)))
    return window


def _flags(rng: random.Random, at: datetime, address: str | None) -> dict[str, Any]:
    flags: dict[str, Any] = {name: rng.random() < 0.5 for name in BOOLEAN_FLAGS if rng.random() < 0.06}
    def near(days: int) -> str:
        return (at + timedelta(days=rng.randint(-days, days), hours=rng.randint(-12, 12))).isoformat()
    if rng.random() < 0.1:
        flags["opt_outs"] = [address or "m1"] if rng.random() < 0.7 else ["m9"]
    if rng.random() < 0.08:
        start = at - timedelta(hours=rng.randint(0, 5))
        flags["consent_windows"] = [{"from": start.isoformat(), "to": (start + timedelta(hours=rng.randint(0, 8)))
                                     .isoformat()}]
    if rng.random() < 0.06:
        flags["call_consent_until"] = near(10)
        if rng.random() < 0.5:
            flags["call_consent_given_at"] = near(10)
    if rng.random() < 0.06:
        flags["third_party_do_not_contact"] = [rng.choice(["m2", "m3", "h1", "w1"])]
    if rng.random() < 0.07:
        flags["inconvenient_windows"] = [_window(rng) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.05:
        flags["inconvenient_places"] = [rng.choice(["home", "work", "p1", "m2"])]
    if rng.random() < 0.06:
        flags["electronic_consents"] = [rng.choice(["e1", "e2", "m1", "we1"])]
    if rng.random() < 0.05:
        flags["reassigned_number_check_at"] = near(60)
    if rng.random() < 0.04:
        flags["no_work_contact_requested_at"] = near(20)
    if rng.random() < 0.08:
        flags["initial_communication_at"] = near(40)
    if rng.random() < 0.08:
        flags["validation_notice_sent_at"] = near(40)
    if rng.random() < 0.06:
        flags["validation_period_ends"] = (at + timedelta(days=rng.randint(-20, 30))).date().isoformat()
    return flags


# how far back a history reaches, in minutes before the judged instant: the same day (caps per
# day), the last week (7-in-7, the 7-day wait), or five weeks and a few hours after it
SPANS = [(1, 10 * 60), (1, 8 * 24 * 60), (-240, 35 * 24 * 60)]


def _entry(rng: random.Random, at: datetime, zone_names: list[str], debts: list[str], *,
           span: tuple[int, int], focus: dict[str, Any] | None) -> dict[str, Any]:
    """One history entry; with `focus` (an action), mostly on its channel, to its contact point."""
    focused = focus is not None and rng.random() < 0.8
    channel = focus["channel"] if focus is not None and focused else rng.choice(CHANNELS)
    when = at - timedelta(minutes=rng.randint(*span))
    kind = rng.choice(KINDS[channel])
    entry: dict[str, Any] = {"at": _instant(rng, when, zone_names), "channel": channel}
    if rng.random() < 0.9:
        entry["direction"] = "inbound" if rng.random() < 0.08 else "outbound"
    if focus is not None and focused:
        entry["to"] = dict(focus["to"])
    elif rng.random() < 0.9:
        entry["to"] = {"party": rng.choice(HISTORY_PARTIES), "kind": kind,
                       "address": rng.choice(ADDRESSES[kind]) if kind else None}
    if rng.random() < 0.85:
        entry["debt_ids"] = rng.sample(debts, rng.randint(1, len(debts)))
    outcome = rng.choice(OUTCOMES[channel])
    if outcome is not None or rng.random() < 0.5:
        entry["outcome"] = outcome
    if outcome is None and rng.random() < 0.3:
        entry["planned"] = True
    if rng.random() < 0.2:
        entry["automated"] = rng.random() < 0.5
    if rng.random() < 0.3:
        entry["agency_id"] = rng.choice(["AG1", "AG2", "AG3"])
    if channel == "voicemail" or outcome == "voicemail":
        if rng.random() < 0.3:
            entry["limited_content"] = rng.random() < 0.6
        text = rng.choice(VOICEMAIL_TEXTS)
        if text is not None:
            entry["message"] = text
    return entry


def _action(rng: random.Random, at: datetime, debts: list[str]) -> dict[str, Any]:
    channel = rng.choice(CHANNELS)
    kind = rng.choice(KINDS[channel])
    action: dict[str, Any] = {
        "channel": channel,
        "to": {"party": rng.choice(PARTIES), "kind": kind, "address": rng.choice(ADDRESSES[kind]) if kind else None},
        "debt_ids": rng.sample(debts, rng.randint(1, len(debts))) if rng.random() < 0.9 else None,
        "automated": rng.choice([None, False, True]),
        "purpose": rng.choice(PURPOSES),
        "agent": _person(rng, at, "G7"),
        "agency": _agency(rng, at),
    }
    if channel == "visit":
        action["visitors"] = [p for p in (_person(rng, at, f"V{i}") for i in range(rng.randint(0, 3))) if p]
    if rng.random() < 0.45 or (channel in ("sms", "email") and rng.random() < 0.6):
        action["message"] = rng.choice(MESSAGES)
    if channel == "letter" and rng.random() < 0.4:
        action["postcard"] = rng.random() < 0.5
        action["envelope"] = rng.choice(["Acme", "Acme Debt Collections", ""])
    if rng.random() < 0.05:
        action["validation_end_date"] = (at + timedelta(days=rng.randint(20, 40))).date().isoformat()
    if action["purpose"] == "location" and rng.random() < 0.5:
        action["location_follow_up"] = rng.choice(["requested", "earlier_answer_wrong"])
    return action


def _spoil(rng: random.Random, request: dict[str, Any]) -> None:
    """A value the contract refuses (about one request in 30)."""
    choice = rng.randint(0, 6)
    if choice == 0:
        request["debtor"]["zones"] = ["Mars/Olympus"]
    elif choice == 1:
        request["at"] = request["at"][:19]  # no offset
    elif choice == 2:
        request["debtor"]["flags"]["cease_comunication"] = True  # misspelt flag
    elif choice == 3:
        request["action"]["channel"] = "fax"
    elif choice == 4:
        request["action"]["automated"] = "true"
    elif choice == 5 and request["history"]:
        del request["history"][0]["at"]
    else:
        request["packs"] = ["XX"]


def make(n: int, rng: random.Random) -> dict[str, Any]:
    packs, zone_sets = rng.choices(PACK_SETS, weights=PACK_WEIGHTS)[0]
    zone_names = rng.choice(zone_sets)
    at = _moment(rng, zone_names)
    debts = rng.sample(DEBTS, rng.randint(1, 3))
    action = _action(rng, at, debts)
    size = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 30, 50])
    span = rng.choice(SPANS)
    focus = action if rng.random() < 0.25 else None
    history = [_entry(rng, at, zone_names, debts, span=span, focus=focus) for _ in range(size)]
    request: dict[str, Any] = {
        "id": f"R{n:05d}",
        "packs": list(packs),
        "language": rng.choice([None, None, "zh", "en"]),
        "at": _instant(rng, at, zone_names),
        "action": action,
        "debtor": {"id": f"C{n}", "zones": list(zone_names), "flags": _flags(rng, at, action["to"]["address"])},
        "history": history,
    }
    if rng.random() < 1 / 30:
        _spoil(rng, request)
    return request


def corpus(size: int = SIZE, seed: int = SEED) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make(n, rng) for n in range(size)]
