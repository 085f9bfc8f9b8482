"""Compliance gate throughput: decisions per second on one core (per CPU-second of this
single-threaded process, so other load on the machine does not distort it).

Requests carry 50-attempt histories (spread over the last 20 days, mixed outcomes, two
agencies), no message (a trivial fake screener stands by and is never called). Reports the
gate alone on pre-parsed requests, and parse + gate from JSON text.

    PYTHONPATH=src python benchmarks/bench_gate.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.gate import check
from arrears.compliance.request import parse_request
from arrears.compliance.screening.types import Screening

OUTCOMES = ["no_answer", "conversation", "busy", "voicemail", "answered_other", "dropped"]
NO_FINDINGS = Screening(self_identifies=True, has_opt_out=True)


def fake_screener(text: str) -> Screening:
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


def rate(work, items, seconds: float) -> tuple[float, int]:
    """Decisions per second of CPU time of this process (the machine may be shared)."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for item in items:
            work(item)
        done += len(items)
    return done / (time.process_time() - start), done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    raw = corpus(200)
    texts = [json.dumps(r) for r in raw]
    parsed = [parse_request(r) for r in raw]
    decisions = {}
    for request in parsed:
        answer = check(request, screener=fake_screener)
        decisions[answer.decision] = decisions.get(answer.decision, 0) + 1

    gate_only, n1 = rate(lambda r: check(r, screener=fake_screener), parsed, args.seconds)
    cn_only, _ = rate(lambda r: check(r, screener=fake_screener), parsed[1::2], args.seconds)
    us_only, _ = rate(lambda r: check(r, screener=fake_screener), parsed[0::2], args.seconds)
    end_to_end, n2 = rate(
        lambda t: check(parse_request(json.loads(t)), screener=fake_screener), texts, args.seconds
    )
    print(f"decisions in corpus: {decisions}")
    print(f"gate only (pre-parsed), CN+US mix: {gate_only:,.0f} decisions/s ({n1} decisions)")
    print(f"gate only, CN pack:               {cn_only:,.0f} decisions/s")
    print(f"gate only, US pack:               {us_only:,.0f} decisions/s")
    print(f"JSON parse + validate + gate:     {end_to_end:,.0f} decisions/s ({n2} decisions)")


if __name__ == "__main__":
    main()
