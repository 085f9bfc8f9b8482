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
