"""report.html: one file with everything inline (ECharts from the package, the chart options,
the tables), so it opens offline and can be mailed or archived as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from arrears.domain.reporting import OperationReport
from arrears.entrypoints.report.cells import shown
from arrears.services.reporting.charts import chart_specs
from arrears.services.reporting.tables import report_tables

ECHARTS = Path(__file__).parent.parent / "web" / "static" / "vendor" / "echarts" / "echarts.min.js"
TITLE = {"zh": "催收运营报告", "en": "Collections operation report"}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                      autoescape=select_autoescape(["html"]))
    env.filters["shown"] = shown
    return env


def _inline_json(value: Any) -> str:
    """JSON safe inside a <script> element (no closing tag, no HTML comment opener)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(report: OperationReport, language: str, *, generated_at: str) -> str:
    return _environment().get_template("report.html").render(
        report=report, language=language, title=TITLE[language], generated_at=generated_at,
        tables=report_tables(report), charts=_inline_json(chart_specs(report, language)),
        echarts=ECHARTS.read_text(encoding="utf-8").replace("</script", "<\\/script"),
    )


def write_html(report: OperationReport, path: Path, language: str, *, generated_at: str) -> None:
    path.write_text(render_html(report, language, generated_at=generated_at), encoding="utf-8")
