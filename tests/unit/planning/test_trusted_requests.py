"""The planner's trusted fast path into the gate gives the same answers as the strict dict path."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from arrears.compliance.gate import check
from arrears.compliance.history import Attempt
from arrears.compliance.request import CheckRequest, parse_request
from arrears.planning.gate_requests import (
    DictPath,
    agencies_by_id,
    default_gate,
    gate_path,
    history_by_customer,
    planned_entry,
    recent_history,
    request_for,
)
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy
from arrears.planning.trusted_requests import TrustedPath, planned_attempt, trusted_request

SAMPLE = 600


@pytest.fixture(scope="module")
def planned(portfolio, capacity) -> list[dict]:
    result = make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate())
    rows = result.attempts.select(
        "account_id", "customer_id", "channel", "contact_point_id", "kind", "address",
        pl.col("scheduled_at").alias("at"), "zone", "jurisdiction", "language", "flags", "agency_id", "purpose",
        "message", "at_history", pl.col("at_utc").dt.epoch("s").alias("at_ts")).to_dicts()
    for row in rows:
        row["packs"] = tuple(p for p in row["jurisdiction"].split(";") if p)
    return rows


def _variants(row: dict) -> list[dict]:
    """The attempt as planned, at a quiet local hour, and as an e-mail/service variant."""
    late = dict(row, at=row["at"][:11] + "23" + row["at"][13:])
    early = dict(row, at=row["at"][:11] + "06" + row["at"][13:])
    return [row, late, early]


def _both(row: dict, dict_history: list[dict], attempts: list[Attempt], agencies: dict) -> tuple:
    strict = parse_request(request_for(row, dict_history, agencies))
    fast = trusted_request(row, attempts, agencies)
    assert fast is not None
    return strict, fast


def test_trusted_requests_give_the_same_answers_as_the_strict_path_for_planned_attempts(planned, portfolio):
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    sample = planned[:SAMPLE]
    customers = pl.Series([r["customer_id"] for r in sample]).unique()
    dict_histories = history_by_customer(recent, customers)
    fast_histories = TrustedPath().histories(recent, customers)
    agencies = agencies_by_id(portfolio.agencies)
    earlier_dict: dict[str, list[dict]] = {}
    earlier_fast: dict[str, list[Attempt]] = {}
    decisions, compared = set(), 0
    for row in sample:  # plan order: each sees the attempts planned before it
        cid = row["customer_id"]
        dict_history = sorted(dict_histories.get(cid, []) + earlier_dict.get(cid, []), key=lambda e: e["at"])
        attempts = fast_histories.get(cid, []) + earlier_fast.get(cid, [])
        for variant in _variants(row):
            strict, fast = _both(variant, dict_history, attempts, agencies)
            assert fast.attempts == strict.attempts
            assert fast.attempt_times == strict.attempt_times
            assert check(fast) == check(strict), variant
            decisions.add(str(check(strict).decision))
            compared += 1
        earlier_dict.setdefault(cid, []).append(planned_entry(row))
        earlier_fast.setdefault(cid, []).append(planned_attempt(row))
    assert compared >= 3 * min(SAMPLE, len(planned)) > 300
    assert {"allow", "deny"} <= decisions  # both kinds of answer were compared, so the test can fail


def test_a_debtor_called_again_after_five_conversations_gets_the_same_denial_on_both_paths(planned, portfolio):
    agencies = agencies_by_id(portfolio.agencies)
    row = next(r for r in planned if r["channel"] == "call")
    repeated = [dict(row, at_history=row["at_history"], at_ts=row["at_ts"] - 600 * i) for i in range(1, 6)]
    dict_history = sorted((dict(planned_entry(dict(r, at_history=datetime.fromtimestamp(r["at_ts"], UTC).isoformat())),
                                outcome="conversation") for r in repeated), key=lambda e: e["at"])
    attempts = [planned_attempt(r)._replace(outcome="conversation") for r in repeated]
    strict, fast = _both(row, dict_history, attempts, agencies)
    assert fast.attempts == strict.attempts
    assert check(fast) == check(strict)
    assert str(check(strict).decision) == "deny", check(strict)


def test_an_attempt_outside_the_contract_is_denied_request_on_both_paths(planned, portfolio):
    agencies = agencies_by_id(portfolio.agencies)
    bad = dict(planned[0], packs=("XX",))
    gate = default_gate()
    assert gate(request_for(bad, [], agencies))["rules"] == ["REQUEST"]
    assert gate_path(gate).judge(bad, [], [], agencies) == (False, ["REQUEST"])
    assert DictPath(gate).judge(bad, [], [], agencies) == (False, ["REQUEST"])
    assert trusted_request(dict(planned[0], zone="Mars/Olympus"), [], agencies) is None


def test_a_trusted_request_orders_its_attempts_by_time():
    later = Attempt(200.0, "call", True, "debtor", "mobile", "1", None, None, False, None)
    earlier = later._replace(ts=100.0)
    request = CheckRequest.trusted(id="x", packs=[], at=datetime(2026, 11, 29, tzinfo=UTC), action=None,
                                   debtor=None, attempts=[later, earlier])
    assert request.attempts == (earlier, later)
    assert request.attempt_times == (100.0, 200.0)
    assert request.history is None
