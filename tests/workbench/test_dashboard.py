"""The operation's dashboard through HTTP: the figures shown are the report's for the same dates
(one computation), the workbook export carries them too, an agency's lead sees only the agency's
accounts, a collector may not see it, and a bad date is named."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from workbench_support import PASSWORD

from arrears.bootstrap import reporting_source
from arrears.domain.reporting import ReportRange
from arrears.services.reporting.figures import report_for
from arrears.services.workbench.context import Workbench

RANGE = "from=2026-10-31&to=2026-11-29"
START, END = date(2026, 10, 31), date(2026, 11, 29)


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text


def _tile(page: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}"><span>[^<]*</span><b>([^<]*)</b>', page).group(1)


def test_the_dashboard_shows_the_reports_figures_for_the_same_dates(client: TestClient, wb: Workbench) -> None:
    _login(client, "lead")
    page = client.get(f"/dashboard?{RANGE}&lang=en")
    assert page.status_code == 200, page.text
    report = report_for(reporting_source(wb.engine), ReportRange(START, END, wb.timezone))
    total = report.total
    assert total.contacts > 0 and total.collected > 0 and total.promises_made > 0  # the portfolio has history
    assert _tile(page.text, "collected") == f"{total.collected:,.2f}"
    assert _tile(page.text, "promised") == f"{total.promised_amount:,.2f}"
    assert _tile(page.text, "kept") == f"{total.promises_kept} / {total.promises_broken}"
    assert _tile(page.text, "contacts") == f"{total.contacts:,}"
    for collector, kpis in report.by["collector"].items():
        assert re.search(rf"<td>{re.escape(collector)}</td><td class=\"num\">{kpis.contacts:,}</td>", page.text)
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page.text and 'id="chart-specs"' in page.text
    assert "<script>" not in page.text and "data-specs=" in page.text  # no inline script under the CSP


def test_the_workbook_export_holds_the_same_totals(client: TestClient, wb: Workbench) -> None:
    _login(client, "lead")
    reply = client.get(f"/dashboard/report.xlsx?{RANGE}&lang=en")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(reply.content))["KPIs by day"]
    header = [c.value for c in sheet[1]]
    total_row = [c.value for c in sheet[sheet.max_row]]
    report = report_for(reporting_source(wb.engine), ReportRange(START, END, wb.timezone))
    assert Decimal(str(total_row[header.index("Collected (CNY)")])) == report.total.collected
    assert total_row[header.index("Contacts")] == report.total.contacts
    assert sheet.max_row == 1 + 30 + 1  # header, 30 days, total


def test_an_agency_lead_sees_only_the_accounts_placed_with_the_agency(client: TestClient, wb: Workbench) -> None:
    _login(client, "agency1_lead")
    page = client.get(f"/dashboard?{RANGE}")
    whole = report_for(reporting_source(wb.engine), ReportRange(START, END, wb.timezone))
    own = report_for(reporting_source(wb.engine), ReportRange(START, END, wb.timezone, "AG01"))
    assert 0 < own.total.contacts < whole.total.contacts
    assert _tile(page.text, "contacts") == f"{own.total.contacts:,}"


def test_a_collector_may_not_see_the_dashboard(client: TestClient) -> None:
    _login(client, "collector")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/report.xlsx").status_code == 403


def test_a_date_that_is_not_a_date_is_named(client: TestClient) -> None:
    _login(client, "lead")
    page = client.get("/dashboard?from=2026-13-01&lang=en")
    assert page.status_code == 422
    assert "from: not a date" in page.text
