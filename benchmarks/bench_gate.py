"""Compliance gate throughput: decisions per second on one core (per CPU-second of this
single-threaded process, so other load on the machine does not distort it).

Two corpora:

- the realistic mix (issue 19): per pack (CN, US), histories of 0-50 entries over the last 10
  days (calls, voicemails, SMS, e-mails; several debts; some to third parties, some inbound,
  some unrecorded), actions on every channel (60% calls), 1-2 debts, one in ten to a third
  party, and the SMS, e-mails and letters carry their text, each one different (an amount and a
  name in it), screened by the real screener. Reported with and without the messages (a
  dialer's calls carry none), and with each history new to the gate (what it keeps of a history
  for the next contact against it dropped before each check: a debtor's first contact judged);
- the older corpus: 50-attempt histories over 20 days, calls to the debtor, no message.

Reports the gate alone on pre-parsed requests, and parse + gate from JSON text.

    PYTHONPATH=src python benchmarks/bench_gate.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.gate import check
from arrears.compliance.request import parse_request
from arrears.compliance.screening.types import Screening

OUTCOMES = ["no_answer", "conversation", "busy", "voicemail", "answered_other", "dropped"]
NO_FINDINGS = Screening(self_identifies=True, has_opt_out=True)


def fake_screener(_text: str) -> Screening:
    return NO_FINDINGS


def make_request(rng: random.Random, n: int, packs: list[str], zone: str, at: datetime) -> dict:
    history = []
    for _ in range(50):
        when = at - timedelta(days=rng.randint(0, 19), minutes=rng.randint(30, 600))
        history.append(
            {
                "at": when.isoformat(),
                "channel": rng.choice(["call", "call", "call", "sms"]),
                "to": {"party": "debtor", "kind": "mobile", "address": f"+1{rng.randint(0, 2)}"},
                "debt_ids": [rng.choice(["A1", "A2"])],
                "outcome": rng.choice(OUTCOMES),
                "agency_id": rng.choice([None, "AG1", "AG2"]),
            }
        )
    history.sort(key=lambda h: h["at"])
    return {
        "id": f"bench-{n}",
        "packs": packs,
        "at": at.isoformat(),
        "action": {
            "channel": "call",
            "to": {"party": "debtor", "kind": "mobile", "address": "+10"},
            "debt_ids": ["A1"],
            "agent": {"id": "G7", "training_valid_until": "2027-06-30"},
            "agency": {
                "id": "AG1",
                "authorized_until": "2027-12-31",
                "last_evaluation": "2026-06-01",
            },
        },
        "debtor": {"id": f"C{n}", "zones": [zone], "flags": {}},
        "history": history,
    }


def corpus(size: int) -> list[dict]:
    rng = random.Random(7)
    cn_at = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    us_at = datetime(2026, 11, 30, 13, 0, tzinfo=ZoneInfo("America/New_York"))
    requests = []
    for n in range(size):
        if n % 2:
            requests.append(make_request(rng, n, ["CN"], "Asia/Shanghai", cn_at))
        else:
            requests.append(make_request(rng, n, ["US"], "America/New_York", us_at))
    return requests


MIX_CHANNELS = ["call"] * 12 + ["voicemail", "sms", "sms", "sms", "email", "email", "letter", "visit"]
MIX_KINDS = {"call": "mobile", "voicemail": "mobile", "sms": "mobile", "email": "personal_email",
             "letter": "postal", "visit": None}
MIX_OUTCOMES = {"call": ["no_answer", "no_answer", "conversation", "busy", "voicemail", "answered_other", "dropped",
                         None],
                "sms": ["delivered", "delivered", "failed"], "email": ["delivered", "bounced"]}
TEXTS = {
    "CN": ["【XX银行】尊敬的客户{name}，您尾号{tail}的信用卡已逾期，当前欠款{amount}元，请尽快还款。回复TD退订",
           "您好，我是XX银行信用卡中心工号{tail}的客服专员，您的账户欠款{amount}元，方便时请回电95555。"],
    "US": ["Acme Recovery is a debt collector. {name}, your balance of USD {amount} is past due; call "
           "212-555-0100. Reply STOP to stop texts.",
           "Hi {name}, this is Sam from Acme Recovery about your account ending {tail}. Please call us back."],
}


def mix_request(rng: random.Random, n: int, pack: str) -> dict:
    """One request of the realistic mix for `pack` (CN or US)."""
    zone = "Asia/Shanghai" if pack == "CN" else rng.choice(["America/New_York", "America/Chicago"])
    local = datetime(2026, 11, 30, rng.randint(8, 20), rng.randint(0, 59), tzinfo=ZoneInfo(zone))
    debts = ["A1", "A2", "A3"][: rng.randint(1, 3)]
    history = []
    for _ in range(rng.randint(0, 50)):
        channel = rng.choice(["call", "call", "call", "sms", "email"])
        party = "debtor" if rng.random() < 0.85 else rng.choice(["spouse", "third_party", "employer"])
        history.append({
            "at": (local - timedelta(minutes=rng.randint(5, 10 * 24 * 60))).isoformat(), "channel": channel,
            "direction": "inbound" if rng.random() < 0.05 else "outbound",
            "to": {"party": party, "kind": MIX_KINDS[channel], "address": f"{channel}-{rng.randint(0, 2)}"},
            "debt_ids": rng.sample(debts, rng.randint(1, len(debts))),
            "outcome": rng.choice(MIX_OUTCOMES[channel]), "agency_id": rng.choice([None, "AG1"]),
        })
    history.sort(key=lambda h: h["at"])
    channel = rng.choice(MIX_CHANNELS)
    party = "debtor" if rng.random() < 0.9 else rng.choice(["spouse", "third_party"])
    action: dict = {
        "channel": channel, "to": {"party": party, "kind": MIX_KINDS[channel], "address": f"{channel}-0"},
        "debt_ids": debts[: rng.choice([1, 1, 1, 2])], "automated": channel in ("sms", "email"),
        "agent": {"id": "G7", "training_valid_until": "2027-06-30"},
        "agency": {"id": "AG1", "authorized_until": "2027-12-31", "last_evaluation": "2026-06-01"},
    }
    if channel in ("sms", "email", "letter"):
        text = rng.choice(TEXTS[pack])
        amount = f"{rng.randint(100, 99999)}.00"
        action["message"] = text.format(name=f"Client{n}", tail=f"{n % 10000:04d}", amount=amount)
    if channel == "visit":
        action["visitors"] = [{"id": "G7", "training_valid_until": "2027-06-30"},
                              {"id": "G8", "training_valid_until": "2027-06-30"}]
    return {"id": f"mix-{n}", "packs": [pack], "at": local.isoformat(), "action": action,
            "debtor": {"id": f"C{n}", "zones": [zone], "flags": {"tcpa_consent": True} if n % 3 else {}},
            "history": history}


def mix(size: int, pack: str) -> list[dict]:
    rng = random.Random(19 if pack == "CN" else 20)
    return [mix_request(rng, n, pack) for n in range(size)]


def new_history_check(request) -> object:
    """`check` as if the request's history had not been judged before: what the gate keeps of a
    history for the next contact against it (`history.Attempts.memo`) is dropped first (the
    texts are still screened from the screener's cache; code without the memo keeps nothing)."""
    memo = getattr(request.attempts, "memo", None)
    if memo is not None:
        memo.clear()
    return check(request)


def rate(work, items, seconds: float, repeats: int = 5) -> tuple[float, float, int]:
    """Decisions per CPU-second of this process: (best, median) over `repeats` runs.

    CPU time, not wall time, because the machine may be shared; the best run is the usual
    estimate of the uncontended speed (as `timeit` advises), the median shows the noise.
    """
    rates, total = [], 0
    for _ in range(repeats):
        done, start = 0, time.process_time()
        while time.process_time() - start < seconds / repeats:
            for item in items:
                work(item)
            done += len(items)
        rates.append(done / (time.process_time() - start))
        total += done
    return max(rates), statistics.median(rates), total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    from arrears.compliance.screening import screen

    for pack in ("CN", "US"):
        mixed = [parse_request(r) for r in mix(400, pack)]
        calls = [r for r in mixed if r.action.message is None]
        seen: dict[str, int] = {}
        for request in mixed:
            answer = check(request, screener=screen)
            seen[answer.decision] = seen.get(answer.decision, 0) + 1
        print(f"realistic mix, {pack}: {len(mixed)} requests ({len(mixed) - len(calls)} with a message), "
              f"decisions { {str(k): v for k, v in seen.items()} }")
        fresh = screen.__wrapped__  # the screener without its cache: every text is new to it
        for label, items, screener in ((f"gate only, {pack} mix, each text screened anew", mixed, fresh),
                                       (f"gate only, {pack} mix, texts seen before", mixed, screen),
                                       (f"gate only, {pack} mix without messages", calls, screen)):
            best, median, total = rate(lambda request, s=screener: check(request, screener=s), items, args.seconds)
            print(f"  {label:<48} {best:>9,.0f} / {median:>9,.0f}   ({total} decisions)")
        for label, items in ((f"gate only, {pack} mix, texts seen, each history new", mixed),
                             (f"gate only, {pack} mix w/o messages, each history new", calls)):
            best, median, total = rate(new_history_check, items, args.seconds)
            print(f"  {label:<48} {best:>9,.0f} / {median:>9,.0f}   ({total} decisions)")
    raw = corpus(200)
    texts = [json.dumps(r) for r in raw]
    parsed = [parse_request(r) for r in raw]
    decisions = {}
    for request in parsed:
        answer = check(request, screener=fake_screener)
        decisions[answer.decision] = decisions.get(answer.decision, 0) + 1

    def gate(request):
        return check(request, screener=fake_screener)

    def end_to_end(text):
        return check(parse_request(json.loads(text)), screener=fake_screener)

    print(f"decisions in corpus: { {str(k): v for k, v in decisions.items()} }")
    print("decisions per CPU-second, best / median of 5 runs:")
    for label, work, items in [
        ("gate only (pre-parsed), CN+US mix", gate, parsed),
        ("gate only, CN pack", gate, parsed[1::2]),
        ("gate only, US pack", gate, parsed[0::2]),
        ("JSON parse + validate + gate", end_to_end, texts),
    ]:
        best, median, total = rate(work, items, args.seconds)
        print(f"  {label:<36} {best:>9,.0f} / {median:>9,.0f}   ({total} decisions)")


if __name__ == "__main__":
    main()
