"""US-TIME-01/02/03: (08:00, 21:00) in every zone the consumer may be in (A1, A2)."""

from __future__ import annotations

from arrears.compliance.context import Context, clock_label
from arrears.compliance.outcome import RuleResult
from arrears.compliance.packs import RuleSpec
from arrears.compliance.rules.common import clock, in_clock_range, inside, replies_once


def _failing_zones(ctx: Context, spec: RuleSpec, zones: tuple[str, ...]) -> list[str]:
    start, end = clock(spec.params["allowed_from"]), clock(spec.params["allowed_until"])
    return [z for z in zones if not inside(ctx.local(z), start, end)]


def _times(ctx: Context, zones: list[str]) -> str:
    return ", ".join(f"{clock_label(ctx.local(z))} {z}" for z in zones)


def convenient_hours(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-TIME-01: outside the convenient window in any candidate location (catalogue 4.2)."""
    zones = ctx.debtor_zones
    if not zones or (ctx.flags.consent_windows and ctx.time_consented()):  # no windows: none consented
        return spec.ok()
    failing = _failing_zones(ctx, spec, zones)
    if not failing:
        return spec.ok()
    start, end = spec.params["allowed_from"][:5], spec.params["allowed_until"][:5]
    return spec.deny(
        f"消费者当地时间 {_times(ctx, failing)} 不在 {start} 至 {end} 之间",
        f"{_times(ctx, failing)} is outside {start}-{end} at the consumer's location",
    )


def every_location(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-TIME-02: the candidate locations. No location known (A2), or convenient in some
    candidate location but not in every one (then US-TIME-01 fails too, for those zones)."""
    zones = ctx.debtor_zones
    if not zones:
        return spec.deny(
            "没有消费者所在地信息，无法确定方便时间（A2：位置已知前不联系）",
            "No location is known for the consumer, so no time is known to be convenient (A2)",
        )
    if ctx.time_consented():
        return spec.ok()
    time_rule = ctx.specs.get("US-TIME-01")
    failing = _failing_zones(ctx, time_rule or spec, zones) if time_rule else []
    if not failing or len(failing) == len(zones):
        return spec.ok()  # all fine, or US-TIME-01 already says so
    return spec.deny(
        f"消费者可能所在的另一地时间为 {_times(ctx, failing)}，须在所有可能所在地均为方便时间",
        f"It is {_times(ctx, failing)} in another place the consumer may be; the time must be "
        "convenient in every one of them",
    )


def designated_inconvenient(ctx: Context, spec: RuleSpec) -> RuleResult:
    """US-TIME-03 (and UK-TIME-01): a time the person said is inconvenient. In the US, a contact
    the consumer initiated may be answered once through the same medium (comment 6(b)(1)-2)."""
    hit = inconvenient_window_hit(ctx, ctx.debtor_zones)
    if hit is None or (spec.id.startswith("US-") and replies_once(ctx, same_medium=True)):
        return spec.ok()
    return spec.deny(f"消费者表示 {hit} 不方便联系", f"The consumer said {hit} is inconvenient")


def inconvenient_window_hit(ctx: Context, zones: tuple[str, ...]) -> str | None:
    windows = ctx.flags.inconvenient_windows
    if not windows or ctx.time_consented():
        return None
    for zone_name in zones:
        local = ctx.local(zone_name)
        for window in windows:
            if window.weekdays and local.isoweekday() not in window.weekdays:
                continue
            if in_clock_range(local, window.from_, window.to):
                return f"{window.from_:%H:%M}-{window.to:%H:%M} ({zone_name})"
    return None
