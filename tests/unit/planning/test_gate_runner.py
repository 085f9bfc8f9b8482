"""The gate's worker processes: the same verdicts as one process, and failures that are loud."""

from __future__ import annotations

import io
import pickle

import polars as pl
import pytest

from arrears.planning import gate_runner
from arrears.planning.gate_requests import agencies_by_id, default_gate, gate_path, recent_history
from arrears.planning.gate_runner import ERROR, ROW_COLUMNS, GateRunner, WorkerFailed
from arrears.planning.gate_worker import serve
from arrears.planning.local_time import local_iso
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy


@pytest.fixture(scope="module")
def planned(portfolio, capacity):
    return make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate()).attempts


def _attempts(planned: pl.DataFrame) -> pl.DataFrame:
    return planned.with_columns(pl.col("scheduled_at").alias("at")).select(ROW_COLUMNS)


def _later(attempts: pl.DataFrame, minutes: int) -> pl.DataFrame:
    """The same attempts ``minutes`` later."""
    moved = attempts.with_columns(
        (pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_zone="UTC") + pl.duration(minutes=minutes))
        .alias("at_utc"))
    return moved.with_columns(local_iso("at_utc", attempts["zone"].unique().to_list()).alias("at"),
                              pl.col("at_utc").dt.epoch("s").alias("at_ts"),
                              pl.col("at_utc").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").alias("at_history")
                              ).select(ROW_COLUMNS)


@pytest.mark.parametrize("chunk", [40_000, 97], ids=["one message per pass", "many small messages"])
def test_two_worker_processes_allow_exactly_what_one_process_allows(planned, portfolio, chunk, monkeypatch):
    monkeypatch.setattr(gate_runner, "CHUNK", chunk)
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    agencies = agencies_by_id(portfolio.agencies)
    attempts = _attempts(planned)
    late = attempts.with_columns(pl.col("at").str.slice(0, 11) + "23" + pl.col("at").str.slice(13))  # quiet hours
    twice = pl.concat([attempts, late, attempts])  # each copy is judged after the copies before it were planned
    with GateRunner(gate_path(default_gate()), agencies, workers=1) as alone:
        one = alone.judge(twice, recent)
    with GateRunner(gate_path(default_gate()), agencies, workers=2) as pair:
        assert len(pair.workers) == 2
        two = pair.judge(twice, recent)
    assert sorted(two.allowed) == sorted(one.allowed)
    assert (two.checks, two.denied, two.denials) == (one.checks, one.denied, one.denials)
    assert one.denied > 0  # repeating every attempt runs into the frequency rules
    assert chunk > twice.height or twice.height // chunk >= 10  # the small chunks do split the pass


def test_histories_preloaded_in_small_parts_give_exactly_the_verdicts_of_histories_sent_with_the_rows(
        planned, portfolio, monkeypatch):
    monkeypatch.setattr(gate_runner, "HISTORY_CHUNK", 7)  # many parts, a customer never split
    attempts = _attempts(planned)
    recent = _with_three_conversations_today(
        recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of),
        attempts.filter(pl.col("channel") == "call").head(40))
    agencies = agencies_by_id(portfolio.agencies)
    with GateRunner(gate_path(default_gate()), agencies, workers=2) as pair:
        sent_with_rows = pair.judge(attempts, recent)
    with GateRunner(gate_path(default_gate()), agencies, workers=2) as pair:
        pair.preload(recent)
        preloaded = pair.judge(attempts, recent)
    assert sorted(preloaded.allowed) == sorted(sent_with_rows.allowed)
    assert (preloaded.checks, preloaded.denied, preloaded.denials) == (
        sent_with_rows.checks, sent_with_rows.denied, sent_with_rows.denials)
    assert preloaded.denials.get("CN-FREQ-01", 0) >= 40  # the histories were there to decide


def _with_three_conversations_today(recent: pl.DataFrame, calls: pl.DataFrame) -> pl.DataFrame:
    """``recent`` plus three answered calls, in the hours before each of ``calls``, with its debtor."""
    talks = calls.select(pl.col("customer_id").cast(recent.schema["customer_id"]), "at_ts", "account_id").join(
        pl.DataFrame({"back": [300, 600, 900]}), how="cross").select(
        "customer_id", (pl.col("at_ts") - pl.col("back")).cast(recent.schema["ts"]).alias("ts"),
        pl.lit("call").alias("channel"), pl.lit("outbound").alias("direction"), pl.lit("debtor").alias("party"),
        pl.lit("mobile").alias("kind"), pl.lit(None, dtype=pl.Utf8).alias("value"),
        pl.col("account_id").cast(recent.schema["account_id"]), pl.lit("conversation").alias("outcome"),
        pl.lit(None, dtype=recent.schema["agency_id"]).alias("agency_id"))
    return pl.concat([recent, talks.select(recent.columns).cast(recent.schema)]).sort("customer_id", "ts")


def test_a_worker_that_dies_while_histories_are_preloaded_stops_the_plan(planned, portfolio):
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    with GateRunner(gate_path(default_gate()), agencies_by_id(portfolio.agencies), workers=2) as runner:
        runner.workers[0].kill()
        runner.workers[0].wait()
        runner.preload(recent)
        with pytest.raises(WorkerFailed, match="gate worker"):
            runner.judge(_attempts(planned), recent)


def test_a_failed_chunk_is_reported_after_every_answer_is_read_so_no_pipe_blocks(planned, portfolio, monkeypatch):
    monkeypatch.setattr(gate_runner, "CHUNK", 50)
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    broken = _attempts(planned).with_columns(pl.lit("not a number").alias("at_ts"))  # fails in every chunk
    with GateRunner(gate_path(default_gate()), agencies_by_id(portfolio.agencies), workers=2) as runner:
        with pytest.raises(WorkerFailed, match="failed"):
            runner.judge(broken, recent)
        assert all(worker.poll() is None for worker in runner.workers)  # still alive and in step


def test_a_worker_that_dies_stops_the_plan_with_a_clear_error(planned, portfolio):
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    with GateRunner(gate_path(default_gate()), agencies_by_id(portfolio.agencies), workers=2) as runner:
        runner.workers[1].kill()
        runner.workers[1].wait()
        with pytest.raises(WorkerFailed, match="gate worker"):
            runner.judge(_attempts(planned), recent)


def test_a_worker_answers_a_failed_request_with_its_traceback():
    requests = io.BytesIO()
    pickle.dump(("judge", None, None), requests)  # judged before it was started
    pickle.dump(("stop",), requests)
    requests.seek(0)
    answers = io.BytesIO()
    serve(requests, answers)
    answers.seek(0)
    kind, text = pickle.load(answers)
    assert kind == ERROR
    assert "unexpected request 'judge'" in text


def test_a_workers_traceback_reaches_the_planner_with_personal_data_masked(planned, portfolio):
    broken = _attempts(planned).head(3).with_columns(pl.lit("13812345678x").alias("at_ts"))
    requests = io.BytesIO()
    pickle.dump(("start", gate_path(default_gate()), agencies_by_id(portfolio.agencies)), requests)
    no_history = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of).clear()
    pickle.dump(("judge", broken, no_history), requests)
    requests.seek(0)
    answers = io.BytesIO()
    serve(requests, answers)
    answers.seek(0)
    assert pickle.load(answers) is None
    kind, text = pickle.load(answers)
    assert kind == ERROR
    assert "*******5678" in text and "13812345678" not in text


def test_a_plain_gate_callable_is_judged_in_this_process(portfolio):
    def allow_all(request: dict) -> dict:
        return {"id": request["id"], "decision": "allow", "rules": [], "reasons": []}

    with GateRunner(gate_path(allow_all), agencies_by_id(portfolio.agencies), workers=2) as runner:
        assert runner.workers == [] and runner.local is not None


def test_a_plan_that_fails_while_histories_are_preloaded_closes_its_workers_cleanly(portfolio):
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    runner = GateRunner(gate_path(default_gate()), agencies_by_id(portfolio.agencies), workers=2)
    with pytest.raises(RuntimeError, match="candidates failed"), runner:
        runner.preload(recent)
        raise RuntimeError("candidates failed")
    assert runner.workers == [] and runner.preloading is None


def test_a_shard_kept_on_a_cluster_judges_each_pass_as_the_local_shard_and_never_changes_the_last_one(
        planned, portfolio):
    from arrears.planning.gate_cluster import judged, started, verdicts
    from arrears.planning.gate_runner import Shard

    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    agencies, path = agencies_by_id(portfolio.agencies), gate_path(default_gate())
    attempts, no_history = _attempts(planned), recent.clear()
    local = Shard(path, agencies)
    local.add_histories(recent)
    expected = [local.judge(attempts), local.judge(attempts)]  # the second pass sees the first's attempts
    first = judged(started(path, agencies, recent), (attempts, no_history))
    kept = {customer: list(entries) for customer, entries in first[0].planned.items()}
    second = judged(first, (attempts, no_history))
    again = judged(first, (attempts, no_history))  # what a worker that lost the second pass does
    assert [verdicts(first).allowed, verdicts(second).allowed] == [v.allowed for v in expected]
    assert verdicts(again).allowed == verdicts(second).allowed
    assert first[0].planned == kept  # unchanged by the passes judged from it
    assert sum(map(len, second[0].planned.values())) == 2 * sum(map(len, kept.values())) > 0
