"""The charts of the operation's report as Apache ECharts options (plain JSON-ready dicts).

One function per chart, used by the dashboards and by report.html alike, so a chart looks and
counts the same in both. Texts are Chinese or English (``language``); amounts in the charts are
yuan as numbers (the tables keep exact decimals).
"""

from __future__ import annotations

from typing import Any

from arrears.domain.reporting import OperationReport

TEXT = {
    "money": ("回收与承诺金额（元）", "Collected and promised (CNY)"),
    "collected": ("回收金额", "collected"),
    "promised": ("承诺金额", "promised"),
    "kept_amount": ("兑现金额", "kept (amount)"),
    "promises": ("承诺：新增、兑现、部分兑现、违约（笔）", "Promises made, kept, partly kept, broken"),
    "made": ("新增承诺", "made"),
    "kept": ("兑现", "kept"),
    "partly_kept": ("部分兑现", "partly kept"),
    "broken": ("违约", "broken"),
    "rpc": ("按客户当地小时的本人接通率（电话）", "Right-party contact rate by local hour (calls)"),
    "calls": ("拨打次数", "calls"),
    "rpc_rate": ("本人接通率", "right-party rate"),
    "blocked": ("按规则拦截的联系", "Blocked attempts by rule"),
    "blocked_n": ("拦截次数", "blocked"),
    "roll": ("迁徙率矩阵（期初 → 期末，%）", "Roll-rate matrix (from → to, %)"),
    "trend": ("各账龄向前迁徙率趋势", "Forward roll rate by bucket"),
    "complaints": ("每万次联系投诉数", "Complaints per 10,000 contacts"),
    "queue": ("联系与本人接通（次）", "Contacts and right-party contacts"),
    "contacts": ("联系次数", "contacts"),
    "right_party": ("本人接通", "right-party"),
    "no_data": ("此期间没有数据", "no data in this period"),
    "queue_bucket": ("当日队列（按账龄）", "Today's queue by bucket"),
    "queue_open": ("待处理", "waiting"),
    "queue_assigned": ("处理中", "being worked"),
    "queue_done": ("已完成", "done"),
}


def text(key: str, language: str) -> str:
    zh, en = TEXT[key]
    return en if language == "en" else zh


def _yuan(value: Any) -> float:
    return float(value)


def _base(title: str) -> dict[str, Any]:
    return {"title": {"text": title, "left": 12, "top": 8, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"}, "legend": {"top": 34, "left": 12},
            "grid": {"top": 72, "left": 16, "right": 24, "bottom": 16, "containLabel": True}, "animation": False}


def _empty_note(spec: dict[str, Any], has_data: bool, language: str) -> dict[str, Any]:
    if not has_data:
        spec["title"]["subtext"] = text("no_data", language)
        spec["legend"] = {"show": False}
    return spec


def money_by_day(report: OperationReport, language: str) -> dict[str, Any]:
    days = [d.isoformat() for d, _ in report.days]
    spec = _base(text("money", language))
    spec.update(xAxis={"type": "category", "data": days}, yAxis={"type": "value"}, series=[
        {"name": text("collected", language), "type": "bar", "data": [_yuan(k.collected) for _, k in report.days]},
        {"name": text("promised", language), "type": "bar", "data": [_yuan(k.promised_amount) for _, k in report.days]},
        {"name": text("kept_amount", language), "type": "line",
         "data": [_yuan(k.kept_amount) for _, k in report.days]},
    ])
    return spec


def promises_by_day(report: OperationReport, language: str) -> dict[str, Any]:
    spec = _base(text("promises", language))
    series = [(key, attr) for key, attr in (("made", "promises_made"), ("kept", "promises_kept"),
                                            ("partly_kept", "promises_partly_kept"), ("broken", "promises_broken"))]
    spec.update(xAxis={"type": "category", "data": [d.isoformat() for d, _ in report.days]},
                yAxis={"type": "value", "minInterval": 1},
                series=[{"name": text(key, language), "type": "bar", "data": [getattr(k, attr) for _, k in report.days]}
                        for key, attr in series])
    return spec


def contacts_by_day(report: OperationReport, language: str) -> dict[str, Any]:
    spec = _base(text("queue", language))
    spec.update(xAxis={"type": "category", "data": [d.isoformat() for d, _ in report.days]},
                yAxis={"type": "value", "minInterval": 1}, series=[
        {"name": text("contacts", language), "type": "bar", "data": [k.contacts for _, k in report.days]},
        {"name": text("right_party", language), "type": "bar", "data": [k.right_party for _, k in report.days]},
    ])
    return spec


def right_party_by_hour(report: OperationReport, language: str) -> dict[str, Any]:
    spec = _base(text("rpc", language))
    spec.update(xAxis={"type": "category", "data": [f"{h.hour:02d}" for h in report.hours]},
                yAxis=[{"type": "value", "minInterval": 1}, {"type": "value", "min": 0, "max": 1}], series=[
        {"name": text("calls", language), "type": "bar", "data": [h.contacts for h in report.hours]},
        {"name": text("rpc_rate", language), "type": "line", "yAxisIndex": 1,
         "data": [h.rate for h in report.hours]},
    ])
    return spec


def complaints_by_day(report: OperationReport, language: str) -> dict[str, Any]:
    spec = _base(text("complaints", language))
    spec.update(xAxis={"type": "category", "data": [d.isoformat() for d, _ in report.days]},
                yAxis={"type": "value"},
                series=[{"name": text("complaints", language), "type": "line",
                         "data": [k.complaints_per_10k for _, k in report.days]}])
    return spec


def blocked_by_rule(report: OperationReport, language: str) -> dict[str, Any]:
    top = report.blocked[:15][::-1]
    spec = _base(text("blocked", language))
    spec.update(tooltip={"trigger": "axis"}, xAxis={"type": "value", "minInterval": 1},
                yAxis={"type": "category", "data": [rule for rule, _ in top]},
                series=[{"name": text("blocked_n", language), "type": "bar", "data": [n for _, n in top]}])
    return _empty_note(spec, bool(top), language)


def roll_matrix(report: OperationReport, language: str) -> dict[str, Any]:
    buckets = list(report.roll.buckets)
    cells = [[j, i, round(rate * 100, 1)] for i, f in enumerate(buckets) for j, to in enumerate(buckets)
             if (rate := report.roll.rate(f, to)) is not None]
    spec = _base(text("roll", language))
    spec.update(tooltip={"position": "top"}, legend={"show": False},
                xAxis={"type": "category", "data": buckets, "name": "→"},
                yAxis={"type": "category", "data": buckets, "inverse": True},
                visualMap={"min": 0, "max": 100, "calculable": False, "orient": "horizontal", "left": "center",
                           "bottom": 0, "show": False},
                series=[{"type": "heatmap", "data": cells, "label": {"show": True}}])
    return _empty_note(spec, bool(cells), language)


def roll_trend(report: OperationReport, language: str) -> dict[str, Any]:
    buckets = [b for b in report.roll.buckets if any(rates.get(b) is not None for _, rates in report.trend)]
    spec = _base(text("trend", language))
    spec.update(xAxis={"type": "category", "data": [d.isoformat() for d, _ in report.trend]},
                yAxis={"type": "value", "min": 0, "max": 1},
                series=[{"name": b, "type": "line", "data": [rates.get(b) for _, rates in report.trend]}
                        for b in buckets])
    return _empty_note(spec, bool(buckets), language)


def queue_by_bucket(report: OperationReport, language: str) -> dict[str, Any]:
    spec = _base(text("queue_bucket", language))
    buckets = [b for b, _ in report.queue]
    spec.update(xAxis={"type": "category", "data": buckets}, yAxis={"type": "value", "minInterval": 1},
                series=[{"name": text(f"queue_{state}", language), "type": "bar", "stack": "queue",
                         "data": [states[state] for _, states in report.queue]}
                        for state in ("open", "assigned", "done")])
    return _empty_note(spec, bool(buckets), language)


CHARTS = {
    "money": money_by_day, "promises": promises_by_day, "contacts": contacts_by_day,
    "rpc": right_party_by_hour, "complaints": complaints_by_day, "blocked": blocked_by_rule,
    "roll": roll_matrix, "trend": roll_trend, "queue": queue_by_bucket,
}


def chart_specs(report: OperationReport, language: str) -> dict[str, dict[str, Any]]:
    """Every chart of the report, by name."""
    return {name: build(report, language) for name, build in CHARTS.items()}
