"""The gate skips a rule only when the rule would pass: `rules.NEEDS` checked against the rules.

Every request of the decision corpus (`gate_corpus`, the one behind `test_gate_digests`) is
judged by every rule of its plan, as proposed and, for every eighth, as it turned out: each rule
the dispatch table leaves out for the request's features must pass on it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from tests.unit.compliance.compliance_builders import request
from tests.unit.compliance.gate_corpus import corpus

from arrears.compliance.context import Context
from arrears.compliance.gate import Plan, check, default_screener, plan_for
from arrears.compliance.history import outcomes_of
from arrears.compliance.outcome import Verdict
from arrears.compliance.packs import default_config
from arrears.compliance.request import CheckRequest, Flags, RequestError, parse_request
from arrears.compliance.rules import NEEDS
from arrears.compliance.triggers import BIT, features, flag_bits, needed_bits


def _judged(parsed: CheckRequest, n: int) -> list[Context]:
    """The request's facts as proposed and (every eighth request) as it turned out."""
    message = parsed.action.message
    screening = default_screener()(message) if message is not None else None
    contexts = [Context.of(parsed, screening)]
    if n % 8 == 0:
        possible = sorted(outcomes_of(parsed.action.channel.value))
        contexts.append(Context.of(parsed, None, possible[n % len(possible)]))
    return contexts


def _plan(parsed: CheckRequest, ctx: Context) -> Plan:
    return plan_for(default_config(), tuple(code.value for code in parsed.packs), ctx.channel)


def test_every_rule_the_table_skips_passes_on_every_request_of_the_corpus() -> None:
    skipped: Counter[str] = Counter()
    spoke_when_run: Counter[str] = Counter()
    for n, raw in enumerate(corpus()):
        try:
            parsed = parse_request(raw)
        except RequestError:
            continue
        for ctx in _judged(parsed, n):
            plan = _plan(parsed, ctx)
            ctx.specs = plan.by_id
            run = {spec.id for spec, _ in plan.steps_for(features(ctx))}
            for spec, rule in plan.steps:
                outcome = rule(ctx, spec).outcome
                if spec.id in run:
                    spoke_when_run[spec.id] += outcome is not Verdict.PASS
                    continue
                skipped[spec.id] += 1
                assert outcome is Verdict.PASS, f"{raw['id']}: {spec.id} was skipped but says {outcome}"
    # not vacuous: every declared rule is skipped somewhere, and most of them speak elsewhere
    assert set(skipped) == set(NEEDS)
    assert sum(skipped.values()) > 20_000
    assert sum(1 for rule_id in NEEDS if spoke_when_run[rule_id]) >= 40


def test_a_plain_call_to_the_debtor_runs_only_the_time_and_frequency_rules() -> None:
    raw = request(at="2026-11-30T10:00:00-05:00", packs=("US",), zones=("America/New_York",), history=[])
    parsed = parse_request(raw)
    ctx = Context.of(parsed, None)
    run = [spec.id for spec, _ in _plan(parsed, ctx).steps_for(features(ctx))]
    assert run == ["US-TIME-01", "US-FREQ-01", "US-FREQ-02", "US-FREQ-05"]
    assert check(parsed).decision == "allow"


def test_a_flag_is_a_feature_only_when_it_is_present_and_true() -> None:
    assert flag_bits(Flags()) == 0
    assert flag_bits(Flags(cease_communication=False, opt_outs=[])) == 0
    assert flag_bits(Flags(cease_communication=True)) == BIT["cease_communication"]
    assert flag_bits(Flags(opt_outs=["sms"], attorney_represented=True)) == (
        BIT["opt_outs"] | BIT["attorney_represented"]
    )


def test_a_rule_cannot_need_a_feature_the_gate_does_not_compute() -> None:
    with pytest.raises(KeyError, match="no_such_feature"):
        needed_bits({"US-ATTY-01": ("no_such_feature",)})
