"""The pre-contact gate: may this action happen now? (spec compliance-check-v1)

Runs every rule of every requested pack; deny if any rule denies, else review if any asks for
review, else allow. Deterministic: packs in a fixed order, rules in pack order, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult, Verdict
from arrears.compliance.packs import PACK_ORDER, GateConfig, Pack, RuleSpec, default_config
from arrears.compliance.request import Answer, CheckRequest, Decision
from arrears.compliance.rules import CAPS, NEEDS, RULES, TEXT_ONLY
from arrears.compliance.rules.common import Rule
from arrears.compliance.screening.types import Screening
from arrears.compliance.triggers import can_speak, features, needed_bits

Screener = Callable[[str], Screening]


class ScreenerUnavailable(RuntimeError):
    """The request has a message but no message screener is installed."""


def default_screener() -> Screener:
    try:
        from arrears.compliance.screening import screen
    except ImportError as error:
        raise ScreenerUnavailable(
            "message screening is not available, so a request with a message cannot be judged"
        ) from error
    return screen


def language_of(request: CheckRequest) -> str:
    if request.language is not None:
        return request.language.value
    return "zh" if "CN" in request.packs else "en"


Step = tuple[RuleSpec, Rule]
NEEDED = needed_bits(NEEDS)  # per rule id, the features one of which it needs to speak


@dataclass(frozen=True, slots=True)
class Plan:
    """The rules to run for one set of packs and one channel (cached per config)."""

    packs: tuple[Pack, ...]
    steps: tuple[Step, ...]  # every rule of the packs for the channel, in pack order
    steps_without_message: tuple[Step, ...]  # those that do not judge a text alone
    caps: tuple[Step, ...]  # the steps that count attempts against a cap
    by_id: dict[str, RuleSpec]
    versions: dict[str, str]
    # (the caps alone, with a message, UTC day number) -> every step of that list is surely in
    # force that day (see evaluate)
    all_in_force: dict[tuple[bool, bool, int], bool] = field(default_factory=dict, compare=False)
    # a contact's features (`triggers.features`) -> the steps that can speak on it
    dispatch: dict[int, tuple[Step, ...]] = field(default_factory=dict, compare=False)

    def steps_for(self, bits: int) -> tuple[Step, ...]:
        """The steps that can deny, review or warn on a contact showing the features `bits`,
        in pack order; the others pass on it (`rules.NEEDS`)."""
        steps = self.dispatch.get(bits)
        if steps is None:
            steps = self.dispatch[bits] = tuple(
                step for step in self.steps if can_speak(NEEDED.get(step[0].id), bits)
            )
        return steps


def plan_for(config: GateConfig, codes: tuple[str, ...], channel: str) -> Plan:
    key = (codes, channel)
    plan = config.plans.get(key)
    if plan is None:
        plan = config.plans[key] = _new_plan(config, codes, channel)
    return plan


def _new_plan(config: GateConfig, codes: tuple[str, ...], channel: str) -> Plan:
    packs = tuple(config.pack(code) for code in PACK_ORDER if code in codes)
    every = [spec for pack in packs for spec in pack.rules]
    steps = tuple((spec, RULES[spec.id]) for spec in every if spec.applies_to(channel))
    return Plan(
        packs=packs,
        steps=steps,
        steps_without_message=tuple(step for step in steps if step[0].id not in TEXT_ONLY),
        caps=tuple(step for step in steps if step[0].id in CAPS),
        by_id={spec.id: spec for spec in every},
        versions={pack.code: pack.version for pack in packs},
    )


@lru_cache(maxsize=4096)
def _day_before_in_utc(utc_day: int) -> date:
    """The UTC date before day number `utc_day` (days since 1970-01-01 UTC, the request's):
    a rule effective on it is in force in every zone."""
    return _EPOCH_DAY + timedelta(days=utc_day - 1)


_EPOCH_DAY = date(1970, 1, 1)


def evaluate(ctx: Context, plan: Plan, only: tuple[Step, ...] | None = None) -> list[RuleResult]:
    """The result of every applicable rule that can speak on the contact (or of those of `only`,
    steps of `plan`), in pack order; a rule that cannot (`Plan.steps_for`) passes and is not
    run. A rule not yet in force is skipped (judged on the latest local date among the debtor's
    zones, or UTC)."""
    ctx.specs = plan.by_id
    with_message = ctx.screening is not None
    steps = only if only is not None else plan.steps_for(features(ctx))
    utc_day = int(ctx.at_ts // 86400)
    every = only if only is not None else plan.steps if with_message else plan.steps_without_message
    if _all_surely_in_force(plan, every, with_message, utc_day):  # the usual case: no date to judge
        return [rule(ctx, spec) for spec, rule in steps]
    surely_in_force = _day_before_in_utc(utc_day)
    in_force_on = None
    results = []
    for spec, rule in steps:
        effective = spec.effective_from
        if effective is not None and effective > surely_in_force:
            if in_force_on is None:
                in_force_on = max(ctx.today(z) for z in (*ctx.debtor_zones, "UTC"))
            if in_force_on < effective:
                continue
        results.append(rule(ctx, spec))
    return results


def _all_surely_in_force(plan: Plan, steps: tuple[Step, ...], with_message: bool, utc_day: int) -> bool:
    """Every step of `steps` took effect by the UTC day before `utc_day` (so in every zone),
    found once per plan, list of steps and day: then no request that day needs its local dates
    for it. The lists are the plan's own (every step, those without a message, the caps)."""
    key = (steps is plan.caps, with_message, utc_day)
    known = plan.all_in_force.get(key)
    if known is None:
        surely = _day_before_in_utc(utc_day)
        known = plan.all_in_force[key] = all(
            spec.effective_from is None or spec.effective_from <= surely for spec, _ in steps
        )
    return known


def decide(results: list[RuleResult]) -> Decision:
    decision = Decision.ALLOW
    for result in results:  # identity tests: hashing enum members runs Python code
        if result.outcome is Verdict.DENY:
            return Decision.DENY
        if result.outcome is Verdict.REVIEW:
            decision = Decision.REVIEW
    return decision


def results_of(
    request: CheckRequest,
    *,
    screener: Screener | None = None,
    config: GateConfig | None = None,
) -> tuple[Plan, list[RuleResult]]:
    """Every applicable rule's result for one proposed contact, and the plan that ran them.
    The screener runs only when there is a message."""
    ctx = Context.of(request, _screening(request, screener))
    plan = plan_for(config or default_config(), request.facts[5], ctx.channel)
    return plan, evaluate(ctx, plan)


def _screening(request: CheckRequest, screener: Screener | None) -> Screening | None:
    message = request.action.message
    return None if message is None else (screener or default_screener())(message)


def results_in(
    ctx: Context, codes: tuple[str, ...], *, config: GateConfig | None = None
) -> tuple[Plan, list[RuleResult]]:
    """Every applicable rule's result for a contact whose facts are already known (`ctx`,
    screened if it has a message) under the packs `codes`, and the plan that ran them."""
    plan = plan_for(config or default_config(), codes, ctx.channel)
    return plan, evaluate(ctx, plan)


def is_failed(result: RuleResult) -> bool:
    """The result stops the contact: a deny, or a review a person must approve first."""
    return result.outcome is Verdict.DENY or result.outcome is Verdict.REVIEW


def check(
    request: CheckRequest,
    *,
    screener: Screener | None = None,
    config: GateConfig | None = None,
) -> Answer:
    """Judge one proposed contact, with the reasons, warnings and citations worded."""
    ctx = Context.of(request, _screening(request, screener))  # as results_of, without its tuple
    plan = plan_for(config or default_config(), request.facts[5], ctx.channel)
    return answer_of(request, plan, evaluate(ctx, plan))


def check_outcome(request: CheckRequest, outcome: str, *, config: GateConfig | None = None) -> Answer:
    """Judge a contact that has been made, as it turned out, before its outcome is recorded:
    `request` describes the contact (its instant, the party reached, the debtor's other
    attempts as history) and `outcome` is what came of it. Only the caps are judged (`CAPS`);
    the contact counts as its outcome, not as everything it could have become, so an outcome
    that would take a cap past its limit is denied and must not be recorded."""
    ctx = Context.of(request, None, outcome)
    plan = plan_for(config or default_config(), request.facts[5], ctx.channel)
    return answer_of(request, plan, evaluate(ctx, plan, plan.caps))


def answer_of(request: CheckRequest, plan: Plan, results: list[RuleResult]) -> Answer:
    """The answer to `request` from its rules' results, worded in the request's language: one
    pass over the results (most pass), deciding as `decide` does."""
    language = request.language  # as language_of; as Reason.text: anything but "en" reads Chinese
    english = language._value_ == "en" if language is not None else "CN" not in request.facts[5]
    passed, deny, review, warn = Verdict.PASS, Verdict.DENY, Verdict.REVIEW, Verdict.WARN
    decision = Decision.ALLOW
    rules: list[str] = []
    reasons: list[str] = []
    citations: list[str] = []
    warnings: list[str] = []
    for result in results:
        outcome = result.outcome
        if outcome is passed:
            continue
        reason = result.reason
        text = reason.en if english else reason.zh
        if outcome is deny or outcome is review:
            rules.append(reason.rule_id)
            reasons.append(text)
            citations.append(reason.citation)
            if outcome is deny:
                decision = Decision.DENY
            elif decision is Decision.ALLOW:
                decision = Decision.REVIEW
        elif outcome is warn:
            warnings.append(f"{reason.rule_id}: {text}")
    answer = _new_answer(Answer)  # as Answer.assemble with every field given, in field order
    _set(answer, "__dict__", {"id": request.id, "decision": decision, "rules": rules, "reasons": reasons,
                              "warnings": warnings, "pack_versions": dict(plan.versions), "citations": citations})
    _set(answer, "__pydantic_fields_set__", set(_ANSWER_FIELDS))
    _set(answer, "__pydantic_extra__", None)
    _set(answer, "__pydantic_private__", None)
    return answer


_new_answer, _set = Answer.__new__, object.__setattr__
_ANSWER_FIELDS = ("id", "decision", "rules", "reasons", "warnings", "pack_versions", "citations")


def verdict(
    ctx: Context, codes: tuple[str, ...], *, config: GateConfig | None = None
) -> tuple[Decision, list[str]]:
    """What `check` decides and which rules stopped the contact, without wording the answer:
    for callers that ask hundreds of thousands of times, know the contact's facts without a
    request (`Context`) and keep only the decision (the daily planner). Same rules, same
    decision as `check` on the request with these facts."""
    _, results = results_in(ctx, codes, config=config)
    deny, review = Verdict.DENY, Verdict.REVIEW  # as is_failed, with the members looked up once
    failed = [r for r in results if r.outcome is deny or r.outcome is review]
    return decide(failed), [r.rule_id for r in failed]  # decide looks only at denies and reviews
