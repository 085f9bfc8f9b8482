"""At most once across a crash: `arrears dispatch` killed with SIGKILL while the gateway holds
a message, then run again: every message reaches the gateway, and none twice except the one
that was in flight (under the same message id, so the gateway can drop it). SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from outreach_support import DAY, dispatched

SRC = Path(__file__).resolve().parents[2] / "src"
DAYTIME = f"{DAY}T11:00:00+08:00"


def _wait_for(predicate, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_dispatch_killed_part_way_and_run_again_loses_nothing_and_repeats_only_the_message_in_flight(
        world, gateway, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARREARS_OUTREACH_LEASE_SECONDS", "2")
    slow = gateway("--slow-after", "3", "--delay", "60")  # answers 3 at once, then holds the 4th
    messages = world.sms(8)
    plan = world.plan(messages)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen([sys.executable, "-m", "arrears.entrypoints.cli.main", "dispatch", "--plan", str(plan),
                                "--now", DAYTIME, "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: len(slow.received()) >= 4, 120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    in_flight = slow.received()[3]["message_id"]
    time.sleep(2.5)  # the killed dispatcher's lease runs out

    fast = gateway()  # the gateway is well again (a new process, its own record)
    counts = dispatched(plan, DAYTIME)
    assert counts == {"sent": 5, "denied": 0, "failed": 0, "not due": 0, "already sent": 3}

    reached = Counter(r["message_id"] for r in slow.received() + fast.received())
    assert set(reached) == {m.message_id for m in messages}  # none lost
    assert [mid for mid, n in reached.items() if n > 1] == [in_flight]  # only the one in flight, once more
    assert dispatched(plan, DAYTIME)["already sent"] == 8
