"""US-TXT-01..04 and US-SOL-01, from the screening's categories."""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import findings, quoted_en, text_rule
from arrears.compliance.screening.types import Category as C


def _remedy_authorized(ctx: Context) -> bool:
    return bool(ctx.flags.litigation_authorized)


abuse = text_rule(
    [C.THREAT, C.INSULT, C.DISCLOSURE, C.FAMILY], "威胁、辱骂或曝光", "threats, abuse or exposure"
)
arrest = text_rule([C.CRIMINAL], "逮捕或监禁", "arrest or imprisonment claims", always_deny=True)
remedies = text_rule(
    [C.LITIGATION, C.REMEDY], "起诉、扣薪或查封", "legal-action wording", gate=_remedy_authorized
)
false_affiliation = text_rule([C.AUTHORITY], "冒充政府、律师或征信机构", "false affiliation")

_LEGAL = frozenset({C.LITIGATION, C.REMEDY})


def time_barred(ctx: Context, spec: RuleSpec) -> RuleResult:
    found = findings(ctx, _LEGAL)
    if not found or ctx.flags.time_barred is False:
        return spec.ok()
    words = quoted_en(found)
    if ctx.flags.time_barred:
        return spec.deny(
            f"债务已过诉讼时效，信息不得提及起诉：{words}",
            f"The debt is time-barred; the text must not mention suing: {words}",
        )
    return spec.review(
        f"诉讼时效状态未知，提及法律措施的信息须人工审核：{words}",
        f"Limitation status unknown; legal-action wording is reviewed: {words}",
    )
