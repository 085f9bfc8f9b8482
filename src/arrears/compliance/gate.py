"""The pre-contact gate: may this action happen now? (spec compliance-check-v1)

Runs every rule of every requested pack; deny if any rule denies, else review if any asks for
review, else allow. Deterministic: packs in a fixed order, rules in pack order, no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult, Verdict
from arrears.compliance.packs import PACK_ORDER, GateConfig, Pack, default_config
from arrears.compliance.request import Answer, CheckRequest, Decision
from arrears.compliance.rules import RULES
from arrears.compliance.screening.types import Screening

Screener = Callable[[str], Screening]


class ScreenerUnavailable(RuntimeError):
    """The request has a message but no message screener is installed."""


def _default_screener() -> Screener:
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


def packs_of(request: CheckRequest, config: GateConfig) -> list[Pack]:
    wanted = {code.value for code in request.packs}
    return [config.pack(code) for code in PACK_ORDER if code in wanted]


def evaluate(
    request: CheckRequest, screening: Screening | None, packs: list[Pack]
) -> list[RuleResult]:
    """Every applicable rule's result, in pack order."""
    ctx = Context(request, screening)
    specs = [spec for pack in packs for spec in pack.rules]
    ctx.specs = {spec.id: spec for spec in specs}
    in_force_on = max(ctx.today(z) for z in (*ctx.debtor_zones, "UTC"))
    results = []
    for spec in specs:
        if not spec.applies_to(ctx.channel):
            continue
        if spec.effective_from is not None and in_force_on < spec.effective_from:
            continue
        results.append(RULES[spec.id](ctx, spec))
    return results


def decide(results: list[RuleResult]) -> Decision:
    outcomes = {result.outcome for result in results}
    if Verdict.DENY in outcomes:
        return Decision.DENY
    if Verdict.REVIEW in outcomes:
        return Decision.REVIEW
    return Decision.ALLOW


def check(
    request: CheckRequest,
    *,
    screener: Screener | None = None,
    config: GateConfig | None = None,
) -> Answer:
    """Judge one proposed contact. The screener runs only when there is a message."""
    config = config or default_config()
    screening = None
    if request.action.message is not None:
        screening = (screener or _default_screener())(request.action.message)
    packs = packs_of(request, config)
    results = evaluate(request, screening, packs)
    language = language_of(request)
    failed = [r for r in results if r.outcome in (Verdict.DENY, Verdict.REVIEW)]
    cautions = [r for r in results if r.outcome is Verdict.WARN]
    return Answer(
        id=request.id,
        decision=decide(results),
        rules=[r.rule_id for r in failed],
        reasons=[r.reason(language) for r in failed],
        warnings=[f"{r.rule_id}: {r.reason(language)}" for r in cautions],
        pack_versions={pack.code: pack.version for pack in packs},
        citations=[r.citation for r in failed],
    )
