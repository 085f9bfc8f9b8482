"""The operation's dashboard (运营看板) for team leads, strategy managers, compliance officers,
auditors and administrators: the same figures, charts and tables as `arrears report`, for a date
range, with the workbook as an export. An agency's users see their agency's accounts only."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from arrears.bootstrap import reporting_source
from arrears.domain.access import Permission
from arrears.domain.reporting import OperationReport, ReportingError, ReportRange
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.state import workbench_of
from arrears.entrypoints.report.cells import shown
from arrears.entrypoints.report.xlsx import write_xlsx
from arrears.entrypoints.web.form_inputs import day_field
from arrears.entrypoints.web.pages import _as, _language, error_page, render
from arrears.entrypoints.web.session import require_user
from arrears.services.reporting.charts import chart_specs
from arrears.services.reporting.figures import report_for
from arrears.services.reporting.tables import dimension_table, experiments_table, report_tables
from arrears.services.workbench.errors import InvalidInput, WorkbenchError

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
DEFAULT_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str | None, name: str, default: date) -> date:
    return day_field(text, name) if text else default


def dashboard_report(request: Request, start: str | None, end: str | None) -> OperationReport:
    """The report the signed-in user may see for ``start`` .. ``end`` (default: the last 30 days)."""
    user = require_user(request)
    principal = _as(user, request)
    principal.require(Permission.VIEW_TEAM)
    wb = workbench_of(request.app)
    last = _day(end, "to", wb.today())
    wanted = ReportRange(_day(start, "from", last - timedelta(days=DEFAULT_DAYS - 1)), last, wb.timezone,
                         principal.agency_id)
    try:
        return report_for(reporting_source(wb.engine), wanted)
    except ReportingError as error:
        raise InvalidInput(f"日期范围无效：{error}", f"not a date range to report: {error}", field="to") from None


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    try:
        report = dashboard_report(request, request.query_params.get("from"), request.query_params.get("to"))
    except WorkbenchError as error:
        return error_page(request, error)
    user = require_user(request)
    language = _language(request, user)
    tables = {d: dimension_table(report, d) for d in ("collector", "agency", "segment", "strategy")}
    return render(request, "dashboard.html", user, report=report, tables=tables, shown=shown,
                  experiments=experiments_table(report),
                  drill=user.principal.may(Permission.ALLOCATE) and not user.principal.agency_id,
                  charts=json.dumps(chart_specs(report, language), ensure_ascii=False, default=str), language=language)


@router.get("/dashboard/report.xlsx")
def dashboard_workbook(request: Request) -> Response:
    try:
        report = dashboard_report(request, request.query_params.get("from"), request.query_params.get("to"))
    except WorkbenchError as error:
        return error_page(request, error)
    buffer = io.BytesIO()
    write_xlsx(report, buffer, _language(request, require_user(request)))
    name = f"report-{report.start}-{report.end}.xlsx"
    disposition = f'attachment; filename="{name}"'
    return Response(buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})


__all__ = ["dashboard_report", "report_tables", "router"]
