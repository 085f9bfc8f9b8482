"""`arrears dispatch` against the SMS gateway stand-in (its own process), on SQLite and PostgreSQL:
at most once, the gate at the dispatch instant, retries, the sender on every message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from outreach_support import BEARER, DAY, arrears, dispatched
from sqlalchemy import func, select

from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.outreach_tables import outbox_messages

DAYTIME = f"{DAY}T11:00:00+08:00"


def _count(engine, table, *where) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_due_messages_are_sent_once_each_and_a_second_dispatch_sends_nothing(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(4) + world.sms(6, at=f"{DAY}T15:00:00+08:00")[4:])  # 4 due at 11:00, 2 at 15:00
    first = dispatched(plan, DAYTIME)
    assert first == {"sent": 4, "denied": 0, "failed": 0, "not due": 2, "already sent": 0}
    again = dispatched(plan, DAYTIME)
    assert again == {"sent": 0, "denied": 0, "failed": 0, "not due": 2, "already sent": 4}
    later = dispatched(plan, f"{DAY}T16:00:00+08:00")
    assert later == {"sent": 2, "denied": 0, "failed": 0, "not due": 0, "already sent": 4}
    ids = Counter(r["message_id"] for r in sms.received())
    assert len(ids) == 6 and set(ids.values()) == {1}
    assert _count(world.engine, contact_attempts) == 6


def test_every_sms_names_the_real_sender_first_and_carries_the_opt_out(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    dispatched(world.plan(world.sms(3)), DAYTIME)
    received = sms.received()
    assert len(received) == 3
    numbers = {r["number"] for r in world.mobiles[:3]}
    for message in received:
        assert message["sender"] == "信用卡中心"
        assert message["text"].startswith("【信用卡中心】")
        assert "回复TD退订" in message["text"]
        assert message["to"] in numbers


def test_the_plain_output_has_one_line_per_count(world, gateway) -> None:  # type: ignore[no-untyped-def]
    gateway()
    result = arrears("dispatch", "--plan", str(world.plan(world.sms(2))), "--now", DAYTIME)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["sent: 2", "denied: 0", "failed: 0", "not due: 0", "already sent: 0"]


def test_nothing_is_sent_in_the_cn_quiet_hours_and_each_denial_names_its_rule(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(3))
    assert dispatched(plan, f"{DAY}T22:30:00+08:00")["denied"] == 3
    assert sms.received() == []
    with world.engine.connect() as connection:
        rules = connection.execute(select(outbox_messages.c.rules)).scalars().all()
    assert all("CN-TIME-01" in r for r in rules)
    assert _count(world.engine, contact_attempts) == 0


def test_a_number_that_opted_out_after_planning_is_denied_at_dispatch(world, gateway, api) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(3))
    who = world.mobiles[1]
    reply = api.post("/v1/outreach/sms/inbound", headers=BEARER,
                     json={"from": who["number"], "text": "  td ", "at": f"{DAY}T09:00:00+08:00"})
    assert reply.status_code == 200, reply.text
    counts = dispatched(plan, DAYTIME)
    assert counts["sent"] == 2 and counts["denied"] == 1
    assert who["number"] not in {r["to"] for r in sms.received()}
    with world.engine.connect() as connection:
        rules = connection.execute(select(outbox_messages.c.rules).where(
            outbox_messages.c.account_id == who["account"])).scalar_one()
    assert "CN-OPTOUT-01" in rules


def test_a_gateway_error_is_retried_with_backoff_and_each_retry_is_judged_again(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway("--fail-first", "1")
    assert dispatched(world.plan(world.sms(2)), DAYTIME)["sent"] == 2
    tries = Counter(r["message_id"] for r in sms.received())
    assert set(tries.values()) == {2}
    assert _count(world.engine, compliance_decisions, compliance_decisions.c.mode == "reserve") == 4
    assert _count(world.engine, contact_attempts, contact_attempts.c.outcome == "failed") == 2


def test_retries_stop_at_the_limit_and_the_message_is_failed(world, gateway, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARREARS_OUTREACH_MAX_TRIES", "3")
    sms = gateway("--fail-first", "10")
    assert dispatched(world.plan(world.sms(1)), DAYTIME)["failed"] == 1
    assert len(sms.received()) == 3
    with world.engine.connect() as connection:
        reason = connection.execute(select(outbox_messages.c.reason)).scalar_one()
    assert "503" in reason


def test_a_refused_number_is_failed_at_once_without_a_retry(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway("--reject", world.mobiles[0]["number"])
    counts = dispatched(world.plan(world.sms(2)), DAYTIME)
    assert counts["failed"] == 1 and counts["sent"] == 1
    assert len(sms.received()) == 2


def test_an_unconfigured_channel_stops_dispatch_before_anything_is_written(world) -> None:  # type: ignore[no-untyped-def]
    result = arrears("dispatch", "--plan", str(world.plan(world.sms(2))), "--now", DAYTIME)
    assert result.exit_code == 2
    assert "ARREARS_SMS_GATEWAY_URL" in result.output
    assert _count(world.engine, outbox_messages) == 0


def test_letters_need_their_folder_only_when_the_plan_has_letters(world, gateway) -> None:  # type: ignore[no-untyped-def]
    gateway()
    assert dispatched(world.plan(world.sms(1)), DAYTIME)["sent"] == 1  # no ARREARS_LETTER_DIR: fine
    letter = world.sms(2)[1]
    letter = type(letter)(letter.account_id, letter.customer_id, "letter", letter.contact_point_id,
                          letter.scheduled_at, "reminder_due", "none")
    result = arrears("dispatch", "--plan", str(world.plan([letter], "letters.csv")), "--now", DAYTIME)
    assert result.exit_code == 2 and "ARREARS_LETTER_DIR" in result.output


def test_a_broken_plan_is_refused_with_its_line_and_column(world, gateway) -> None:  # type: ignore[no-untyped-def]
    gateway()
    plan = world.plan(world.sms(2))
    lines = plan.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("+08:00", "")
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = arrears("dispatch", "--plan", str(plan), "--now", DAYTIME)
    assert result.exit_code == 2
    assert "plan.csv:3: scheduled_at:" in result.output
    assert _count(world.engine, outbox_messages) == 0


def test_the_worker_sends_what_became_due(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(2, at=f"{DAY}T15:00:00+08:00"))
    assert dispatched(plan, DAYTIME)["not due"] == 2
    result = arrears("worker", "--once", "--now", f"{DAY}T15:30:00+08:00")
    assert result.exit_code == 0, result.output
    assert len(sms.received()) == 2
    assert dispatched(plan, f"{DAY}T16:00:00+08:00")["already sent"] == 2


@pytest.mark.usefixtures("world")
def test_the_worker_stops_cleanly_on_sigterm(gateway) -> None:  # type: ignore[no-untyped-def]
    gateway()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    worker = subprocess.Popen([sys.executable, "-m", "arrears.entrypoints.cli.main", "worker", "--poll", "0.2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stderr is not None
    assert "polling" in worker.stderr.readline()  # it is running
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0
    assert "stopped" in err


def test_messages_sent_four_at_a_time_each_reach_the_gateway_once(world, gateway) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    plan = world.plan(world.sms(12))
    result = arrears("dispatch", "--plan", str(plan), "--now", DAYTIME, "--json", "--concurrency", "4")
    assert result.exit_code == 0, result.output
    assert '"sent": 12' in result.stdout
    ids = Counter(r["message_id"] for r in sms.received())
    assert len(ids) == 12 and set(ids.values()) == {1}
    assert _count(world.engine, contact_attempts) == 12


def test_a_dispatch_instant_without_an_offset_is_refused(world, gateway) -> None:  # type: ignore[no-untyped-def]
    gateway()
    result = arrears("dispatch", "--plan", str(world.plan(world.sms(1))), "--now", f"{DAY}T11:00:00")
    assert result.exit_code == 2 and "--now" in result.output
    assert _count(world.engine, outbox_messages) == 0


def test_an_unreachable_database_stops_dispatch_with_exit_2(world, gateway, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sms = gateway()
    monkeypatch.setenv("ARREARS_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    result = arrears("dispatch", "--plan", str(world.plan(world.sms(1))), "--now", DAYTIME)
    assert result.exit_code == 2 and "cannot run" in result.output
    assert sms.received() == []
