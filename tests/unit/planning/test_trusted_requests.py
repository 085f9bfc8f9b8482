"""The planner's trusted fast path into the gate gives the same answers as the strict dict path."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from arrears.compliance.gate import results_in, results_of
from arrears.compliance.history import Attempt
from arrears.compliance.request import parse_request
from arrears.planning.gate_requests import (
    DictPath,
    PlannedRow,
    agencies_by_id,
    default_gate,
    gate_path,
    history_by_customer,
    planned_entry,
    recent_history,
    request_for,
    with_packs,
)
from arrears.planning.gate_runner import ROW_COLUMNS, rows_of
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy
from arrears.planning.trusted_requests import (
    NO_HISTORY,
    History,
    TrustedPath,
    pack_codes,
    planned_attempt,
    trusted_context,
)

SAMPLE = 600


@pytest.fixture(scope="module")
def planned(portfolio, capacity) -> list[PlannedRow]:
    result = make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate())
    frame = result.attempts.with_columns(pl.col("scheduled_at").alias("at")).select(ROW_COLUMNS)
    return list(rows_of(frame.with_columns(pl.col(pl.Categorical).cast(pl.Utf8))))


def _at(row: PlannedRow, local: datetime) -> PlannedRow:
    """The attempt moved to `local` (aware), with its UTC text and timestamp to match."""
    utc = local.astimezone(UTC)
    return row._replace(at=local.isoformat(), at_history=utc.isoformat(), at_ts=int(utc.timestamp()))


def _at_hour(row: PlannedRow, hour: int) -> PlannedRow:
    local = datetime.fromisoformat(row.at).astimezone(ZoneInfo(row.zone))
    return _at(row, local.replace(hour=hour))


def _variants(row: PlannedRow) -> list[PlannedRow]:
    """The attempt as planned, and at a quiet local hour late and early."""
    return [row, _at_hour(row, 23), _at_hour(row, 6)]


def _strict(row: PlannedRow, dict_history: list[dict], agencies: dict):
    return parse_request(request_for(with_packs(row._asdict()), dict_history, agencies))


def test_trusted_contexts_give_the_same_rule_results_as_the_strict_path_for_planned_attempts(planned, portfolio):
    recent = recent_history(portfolio.contacts, portfolio.contact_points, portfolio.as_of)
    third_parties = [r for r in planned if r.party != "debtor"]  # location calls: best last in plan order
    assert third_parties
    sample = planned[:SAMPLE] + third_parties
    customers = pl.Series([r.customer_id for r in sample]).unique()
    dict_histories = history_by_customer(recent, customers)
    fast_histories = TrustedPath().histories(recent, customers)
    agencies = agencies_by_id(portfolio.agencies)
    earlier_dict: dict[str, list[dict]] = {}
    earlier_fast: dict[str, list[Attempt]] = {}
    outcomes, compared = set(), 0
    for row in sample:  # plan order: each sees the attempts planned before it
        cid = row.customer_id
        dict_history = sorted(dict_histories.get(cid, []) + earlier_dict.get(cid, []), key=lambda e: e["at"])
        history = fast_histories.get(cid, NO_HISTORY)  # as the shard keeps it, ordered by polars
        attempts = History.of((*history.attempts, *earlier_fast[cid])) if cid in earlier_fast else history
        for variant in _variants(row):
            strict = _strict(variant, dict_history, agencies)
            fast = trusted_context(variant, attempts, agencies)
            assert fast is not None
            assert fast.attempts == strict.attempts
            assert fast.attempt_times == strict.attempt_times
            _, expected = results_of(strict)
            _, results = results_in(fast, pack_codes(variant.jurisdiction) or ())
            assert results == expected, variant  # every rule's outcome, reasons and citation
            outcomes |= {r.outcome for r in expected}
            compared += 1
        earlier_dict.setdefault(cid, []).append(planned_entry(row._asdict()))
        earlier_fast.setdefault(cid, []).append(planned_attempt(row))
    assert compared >= 3 * min(SAMPLE, len(planned)) > 300
    assert {"pass", "deny"} <= outcomes  # both kinds of result were compared, so the test can fail


def test_a_debtor_called_again_after_five_conversations_gets_the_same_denial_on_both_paths(planned, portfolio):
    agencies = agencies_by_id(portfolio.agencies)
    row = next(r for r in planned if r.channel == "call")
    repeated = [row._replace(at_ts=row.at_ts - 600 * i) for i in range(1, 6)]
    dict_history = sorted((dict(planned_entry(r._replace(at_history=datetime.fromtimestamp(r.at_ts, UTC).isoformat())
                                              ._asdict()), outcome="conversation") for r in repeated),
                          key=lambda e: e["at"])
    attempts = [planned_attempt(r)._replace(outcome="conversation") for r in repeated]
    strict = _strict(row, dict_history, agencies)
    fast = trusted_context(row, History.of(attempts), agencies)
    assert fast is not None and fast.attempts == strict.attempts
    assert results_in(fast, ("CN",))[1] == results_of(strict)[1]
    assert TrustedPath().judge(row, None, attempts, agencies) == (False, ["CN-FREQ-01"])
    assert TrustedPath().judge(row, History.of(attempts), [], agencies) == (False, ["CN-FREQ-01"])


def test_an_attempt_outside_the_contract_is_denied_request_on_both_paths(planned, portfolio):
    agencies = agencies_by_id(portfolio.agencies)
    gate = default_gate()
    for bad in (planned[0]._replace(jurisdiction="XX"), planned[0]._replace(jurisdiction=""),
                planned[0]._replace(zone="Mars/Olympus"), planned[0]._replace(channel="fax"),
                planned[0]._replace(purpose="bogus")):
        assert gate(request_for(with_packs(bad._asdict()), [], agencies))["rules"] == ["REQUEST"], bad
        assert gate_path(gate).judge(bad, None, [], agencies) == (False, ["REQUEST"]), bad
        assert DictPath(gate).judge(bad, None, [], agencies) == (False, ["REQUEST"]), bad


# ------------------------------------------------------------------ differential: varied attempts
AGENCIES = {
    "AG-OK": {"id": "AG-OK", "authorized_until": "2027-06-30", "last_evaluation": "2026-10-01"},
    "AG-ENDED": {"id": "AG-ENDED", "authorized_until": "2026-11-01", "last_evaluation": "2026-10-01"},
    "AG-STALE": {"id": "AG-STALE", "authorized_until": "2027-06-30", "last_evaluation": "2025-01-01"},
    "AG-UNKNOWN": {"id": "AG-UNKNOWN", "authorized_until": None, "last_evaluation": None},
    "AG-BAD": {"id": "AG-BAD", "authorized_until": "2026-13-01", "last_evaluation": "2026-10-01"},
}
JURISDICTIONS = ["CN", "CN", "CN", "US", "US;US-MA", "US;US-NYC;US-WA", "UK", "CN;US"]
ZONES = {"CN": ["Asia/Shanghai", "Asia/Urumqi"], "US": ["America/New_York", "America/Los_Angeles"],
         "UK": ["Europe/London"]}
CHANNEL_KINDS = [("call", "mobile"), ("call", "mobile"), ("call", "home"), ("call", "work"), ("sms", "mobile"),
                 ("email", "email"), ("letter", "postal"), ("voicemail", "mobile"), ("visit", "home")]
FLAG_SETS = [[], [], [], ["dispute"], ["cease"], ["attorney"], ["deceased"], ["bankruptcy"], ["installment_plan"],
             ["time_barred"], ["litigation_authorized"], ["dispute", "installment_plan"]]
MESSAGES = [None, None, None, "【示例银行】尊敬的客户，您的分期计划本期还款日临近，可在手机银行查看。",
            "再不还钱就找人上门收拾你，后果自负", "Example Bank: your payment is overdue. Reply STOP to opt out.",
            "We will sue you and garnish your wages."]
PURPOSES = ["collection", "collection", "service", None, "location", "cease_reply", "opt_out_confirmation"]
PARTIES = ["debtor"] * 5 + ["emergency_contact", "spouse", "third_party", "employer"]  # location calls, and worse
OUT_OF_CONTRACT = [{"jurisdiction": "XX"}, {"jurisdiction": "CN;XX"}, {"zone": "Mars/Olympus"}, {"channel": "fax"},
                   {"purpose": "bogus"}, {"flags": ["unknown_flag"]}, {"agency_id": "AG-BAD"}]


def _varied(rng: random.Random, base: PlannedRow, customer: int) -> list[PlannedRow]:
    """A few attempts of one invented customer on 2026-11-29/30: varied packs, zones, channels,
    flags, agencies, purposes, texts and hours, several close together (frequency limits),
    and now and then a value outside the contract."""
    jurisdiction = rng.choice(JURISDICTIONS)
    zone = rng.choice(ZONES[jurisdiction.split(";")[0]])
    flags = rng.choice(FLAG_SETS)
    agency = rng.choice([None, None, None, "AG-OK", "AG-ENDED", "AG-STALE", "AG-UNKNOWN", "AG-MISSING"])
    rows = []
    start = datetime(2026, 11, 29, rng.randrange(5, 23), rng.choice([0, 30, 59]), tzinfo=ZoneInfo(zone))
    for n in range(rng.randrange(1, 9)):
        channel, kind = rng.choice(CHANNEL_KINDS)
        row = base._replace(option=customer * 100 + n, account_id=f"A{customer}-{rng.randrange(2)}",
                            customer_id=f"C{customer}", channel=channel, contact_point_id=f"P{customer}-{kind}",
                            kind=kind, address=f"+86138{customer:08d}" if kind != "email" else f"c{customer}@x.cn",
                            zone=zone, jurisdiction=jurisdiction, language=rng.choice(["zh", "en", None]),
                            flags=flags, agency_id=agency, purpose=rng.choice(PURPOSES),
                            message=rng.choice(MESSAGES) if channel != "call" else None,
                            party=rng.choice(PARTIES), lost=rng.random() < 0.3)
        if rng.random() < 0.04:
            row = row._replace(**rng.choice(OUT_OF_CONTRACT))
        rows.append(_at(row, start + timedelta(minutes=rng.choice([0, 1, 5, 30, 90, 600]) * n)))
    return rows


def _history(rng: random.Random, row: PlannedRow) -> list[dict]:
    """Recent contacts of the customer (dict history entries, UTC text): a few over nine days,
    a busy day of conversations, or a week of unanswered calls."""
    at = datetime.fromisoformat(row.at).astimezone(UTC)
    kind = rng.choice(["sparse", "sparse", "busy day", "busy week"])
    entries = []
    for _ in range(rng.randrange(0, 7) if kind == "sparse" else rng.randrange(4, 14)):
        minutes = rng.randrange(1, 60 * (9 * 24 if kind == "sparse" else 10 if kind == "busy day" else 7 * 24))
        outcomes = (["conversation", "no_answer", "busy", "voicemail", "wrong_number", "delivered", None]
                    if kind == "sparse" else ["conversation", "no_answer"] if kind == "busy day"
                    else ["no_answer", "voicemail", "dropped"])
        entries.append({"at": (at - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        "channel": rng.choice(["call", "call", "sms"] if kind == "sparse" else ["call"]),
                        "direction": rng.choice(["outbound", "outbound", "inbound", None]),
                        "to": {"party": rng.choice(["debtor", "debtor", "unknown", "spouse", None]),
                               "kind": "mobile", "address": row.address},
                        "debt_ids": rng.choice([[row.account_id], None, ["A-other"]]),
                        "outcome": rng.choice(outcomes), "agency_id": rng.choice([None, "AG-OK"])})
    return sorted(entries, key=lambda e: e["at"])


def _fast_history(entries: list[dict]) -> History:
    return History.of(parse_request({"id": "h", "packs": ["CN"], "at": "2026-11-29T00:00:00Z",
                               "action": {"channel": "call", "to": {"party": "debtor"}},
                               "debtor": {"zones": ["UTC"]}, "history": entries}).attempts)



def test_varied_attempts_get_the_same_verdicts_on_the_strict_and_the_trusted_path(planned):
    """Both paths judge the same attempts in order, each keeping its own allowed ones as the
    history of the next, as the plan's shards do; allowed and denied alike must agree."""
    rng = random.Random(20261129)
    strict, fast = DictPath(default_gate()), TrustedPath()
    denials: dict[str, int] = {}
    verdicts = 0
    for customer in range(700):
        rows = _varied(rng, planned[0], customer)
        dict_history = _history(rng, rows[0])
        fast_history = _fast_history(dict_history)
        earlier_dict: list[dict] = []
        earlier_fast: list[Attempt] = []
        for row in rows:
            expected = strict.judge(row, dict_history, earlier_dict, AGENCIES)
            assert fast.judge(row, fast_history, earlier_fast, AGENCIES) == expected, row
            verdicts += 1
            if expected[0]:
                earlier_dict.append(strict.entry(row))
                earlier_fast.append(fast.entry(row))
            for rule in expected[1]:
                denials[rule] = denials.get(rule, 0) + 1
    assert verdicts > 2000
    seen = set(denials)  # the variety reached the deny paths, so the test can fail
    assert {"REQUEST", "CN-TIME-01", "CN-FREQ-01", "CN-FREQ-02", "CN-PLAN-01", "CN-AGY-03", "CN-TXT-01", "US-TIME-01",
            "US-CEASE-01", "US-ATTY-01", "US-FREQ-01", "US-FREQ-02", "US-TCPA-01", "UK-TIME-01",
            "CN-3P-01", "CN-3P-02", "US-3P-01"} <= seen, sorted(seen)


def test_histories_out_of_time_order_are_ordered_as_the_strict_path_orders_them():
    recent = pl.DataFrame({
        "customer_id": ["C1", "C1", "C1", "C2", "C2"], "ts": [300, 100, 100, 50, 40],
        "channel": ["call", "sms", "call", "call", "call"], "direction": ["outbound", None, "inbound", None, None],
        "party": ["debtor"] * 5, "kind": ["mobile"] * 5, "value": ["1", "2", "3", "4", "5"],
        "account_id": ["A1", None, "A1", "A2", "A2"], "outcome": ["no_answer", "delivered", None, None, "busy"],
        "agency_id": [None] * 5})
    histories = TrustedPath().histories(recent, pl.Series(["C1", "C2"]))
    for customer, entries in history_by_customer(recent, pl.Series(["C1", "C2"])).items():
        strict = _strict(planned_row(customer), sorted(entries, key=lambda e: e["at"]), {})
        assert histories[customer] == (strict.attempts, strict.attempt_times)
    assert [a.address for a in histories["C1"].attempts] == ["2", "3", "1"]  # same second: in the given order


def planned_row(customer: str) -> PlannedRow:
    return PlannedRow(1, "A1", customer, "call", "P1", "mobile", "1", "2026-11-29T10:00:00+08:00", "Asia/Shanghai",
                      "CN", "zh", [], None, "collection", None, "2026-11-29T02:00:00+00:00", 1795917600)


@pytest.mark.parametrize("consent", [True, False])
def test_the_consent_of_the_number_used_reaches_the_rules_on_both_paths_as_the_gate_gives_it(consent: bool) -> None:
    sms = planned_row("C1")._replace(channel="sms", jurisdiction="US", zone="America/New_York",
                                     at="2026-11-29T10:00:00-05:00", at_history="2026-11-29T15:00:00+00:00",
                                     at_ts=1795964400, message="Please call us. Reply STOP to opt out.",
                                     consent=consent)
    fast = TrustedPath().judge(sms, None, [], {})
    strict = DictPath(default_gate()).judge(sms, [], [], {})
    assert fast == strict
    assert ("US-TCPA-01" in fast[1]) is not consent  # an automated text to a mobile needs the consent
