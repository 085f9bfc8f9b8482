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
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy


@pytest.fixture(scope="module")
def planned(portfolio, capacity):
    return make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate()).attempts


def _attempts(planned: pl.DataFrame) -> pl.DataFrame:
    return planned.with_columns(pl.col("scheduled_at").alias("at")).select(ROW_COLUMNS)


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


def test_a_plain_gate_callable_is_judged_in_this_process(portfolio):
    def allow_all(request: dict) -> dict:
        return {"id": request["id"], "decision": "allow", "rules": [], "reasons": []}

    with GateRunner(gate_path(allow_all), agencies_by_id(portfolio.agencies), workers=2) as runner:
        assert runner.workers == [] and runner.local is not None
