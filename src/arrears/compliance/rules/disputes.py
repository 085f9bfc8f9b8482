"""US-VAL-03, CN-DISP-02, UK-DISP-01: a dispute case is open (``dispute_hold``), so collection
stops until it is closed; a service message (no collection content) may still go out. In the
US pack an open dispute the caller states (``dispute_open``, the contract's flag) stops it too:
the catalogue's decision applies US-VAL-03 to every dispute until verification is sent."""

from __future__ import annotations

import re

from arrears.compliance.context import Context
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.cn_account import is_service_message

# A message that sends the verification of the disputed debt (its words name both: verification, dispute).
_VERIFICATION = re.compile(r"(?<![a-z])verification(?![a-z]).*disput|disput.*(?<![a-z])verification(?![a-z])")


def dispute_hold(ctx: Context, spec: RuleSpec) -> RuleResult:
    return _held(ctx, spec, bool(ctx.flags.dispute_hold))


def us_dispute(ctx: Context, spec: RuleSpec) -> RuleResult:
    if ctx.screening is not None and _VERIFICATION.search(ctx.screening.normalized):
        return spec.ok()  # the verification itself is what 1006.38(d)(2) waits for
    return _held(ctx, spec, bool(ctx.flags.dispute_hold or ctx.flags.dispute_open))


def _held(ctx: Context, spec: RuleSpec, disputed: bool) -> RuleResult:
    if not disputed or is_service_message(ctx):
        return spec.ok()
    return spec.deny(
        "客户的异议正在核实，核实完毕前停止催收（仅可发送服务类信息）",
        "The customer's dispute is being verified: collection stops until it is closed (service messages only)",
    )
