"""US-VAL-03, CN-DISP-02, UK-DISP-01: a dispute case is open (``dispute_hold``), so collection
stops until it is closed; a service message (no collection content) may still go out."""

from __future__ import annotations

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.cn_account import is_service_message


def dispute_hold(ctx: Context, spec: RuleSpec) -> RuleResult:
    if not ctx.flags.dispute_hold or is_service_message(ctx):
        return spec.ok()
    return spec.deny(
        "客户的异议正在核实，核实完毕前停止催收（仅可发送服务类信息）",
        "The customer's dispute is being verified: collection stops until it is closed (service messages only)",
    )
