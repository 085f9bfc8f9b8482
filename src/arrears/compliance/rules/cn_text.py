"""CN-TXT-01..09 (from the screening's categories) and CN-ID-01 self-identification."""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import text_rule
from arrears.compliance.screening.types import Category as C


def _criminal_wording_may_be_reviewed(ctx: Context) -> bool:
    """Both legal authorization and a verified criminal referral (两高解释 Arts. 6-8)."""
    return bool(ctx.flags.litigation_authorized and ctx.flags.criminal_referral_verified)


def _litigation_authorized(ctx: Context) -> bool:
    return bool(ctx.flags.litigation_authorized)


threats = text_rule([C.THREAT], "暴力、威胁或恐吓", "threats or intimidation")
insults = text_rule([C.INSULT], "侮辱、辱骂", "insults or abuse")
false_authority = text_rule([C.AUTHORITY], "冒充公检法或政府机关", "posing as an authority")
criminal_claims = text_rule(
    [C.CRIMINAL], "刑事责任", "criminal-liability claims", gate=_criminal_wording_may_be_reviewed
)
disclosure = text_rule([C.DISCLOSURE], "向他人透露或曝光债务", "threatened disclosure")
family_pressure = text_rule([C.FAMILY], "针对家人的后果", "consequences aimed at family")
borrowing_or_fees = text_rule(
    [C.FUNDS], "诱导借贷、套现或收取额外费用", "borrowing or fee inducement"
)
visit_mention = text_rule([C.VISIT], "上门外访", "a visit")
legal_action = text_rule(
    [C.LITIGATION, C.REMEDY], "诉讼、律师函等法律措施", "legal action", gate=_litigation_authorized
)


def self_identification(ctx: Context, spec: RuleSpec) -> RuleResult:
    screening = ctx.screening
    if screening is None or screening.self_identifies:
        return spec.ok()
    return spec.act(
        "话术或信息未表明机构名称及催收人员身份（自报家门）",
        "The script or message does not name the institution and the collector",
    )
