"""CN-TIME-01 quiet hours and CN-VISIT-01 field visits."""

from __future__ import annotations

from arrears.compliance.context import Context, clock_label, zone_label_en, zone_label_zh
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import clock, inside


def _quiet_zone(ctx: Context, spec: RuleSpec) -> str | None:
    """The first zone (Beijing first) in which `at` is inside the quiet hours, if any."""
    if ctx.flags.consent_windows and ctx.time_consented():  # no windows: none consented
        return None
    start, end = clock(spec.params["allowed_from"]), clock(spec.params["allowed_until"])
    for zone_name in ctx.cn_zones():
        if not inside(ctx.local(zone_name), start, end):
            return zone_name
    return None


def _quiet_sentences(ctx: Context, spec: RuleSpec, zone_name: str) -> tuple[str, str]:
    local = clock_label(ctx.local(zone_name))
    start, end = spec.params["allowed_from"][:5], spec.params["allowed_until"][:5]
    return (
        f"{zone_label_zh(zone_name)} {local} 在 {end} 至次日 {start} 的禁止催收时段内",
        f"{local} {zone_label_en(zone_name)} is inside the {end}-{start} quiet hours",
    )


def quiet_hours(ctx: Context, spec: RuleSpec) -> RuleResult:
    zone_name = _quiet_zone(ctx, spec)
    if zone_name is None:
        return spec.ok()
    return spec.deny(*_quiet_sentences(ctx, spec, zone_name))


def field_visit(ctx: Context, spec: RuleSpec) -> RuleResult:
    today = ctx.latest_date(ctx.cn_zones())
    need = spec.params["min_visitors"]
    trained: set[str | int] = set()
    for number, person in enumerate(ctx.visitors or ()):
        valid = person.training_valid_until
        if valid is not None and valid >= today:
            trained.add(person.id if person.id is not None else number)
    if len(trained) < need:
        return spec.deny(
            f"上门外访须至少 {need} 名培训有效的催收人员同行，目前只有 {len(trained)} 名",
            f"A field visit needs at least {need} collectors with current training; "
            f"{len(trained)} assigned",
        )
    quiet_time = _visit_quiet_sentences(ctx)
    if quiet_time is not None:
        zh, en = quiet_time
        return spec.deny(
            f"上门外访不得在禁止时段进行：{zh}", f"No field visit in the quiet hours: {en}"
        )
    return spec.ok()


def _visit_quiet_sentences(ctx: Context) -> tuple[str, str] | None:
    """The quiet-hours sentences for a visit, using the CN-TIME-01 parameters in force."""
    spec = ctx.specs.get("CN-TIME-01")
    if spec is None:
        return None
    zone_name = _quiet_zone(ctx, spec)
    return None if zone_name is None else _quiet_sentences(ctx, spec, zone_name)
