"""Managing the operation in a real Chromium, as each role would: a team lead reads the dashboard,
drills down to an agency's accounts, places accounts in bulk with an agency and recalls one; an
administrator adds a user who must change the generated password at the first login; an auditor
filters the trail and exports it. Clicks are counted; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from test_browser import SHOTS, Site, browser, chromium, site  # noqa: F401 - the browser fixtures
from workbench_support import PASSWORD

pytestmark = pytest.mark.browser
NEW_PASSWORD = "amber-orchard-signal-73"


def _login(browser, site: Site, username: str, password: str = PASSWORD, *, width: int = 1440,  # noqa: F811
           lang: str = "zh"):  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900})
    page.goto(f"{site.url}/login?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_load_state()
    return page


def test_a_team_lead_reads_the_dashboard_drills_down_places_and_recalls(browser, site: Site) -> None:  # noqa: F811
    page = _login(browser, site, "lead")
    clicks = 0
    page.click("#nav-dashboard")
    clicks += 1
    page.wait_for_selector("#chart-money canvas")  # ECharts drew from the package's own copy
    assert re.fullmatch(r"[\d,]+\.\d\d", page.inner_text("#kpi-collected b"))
    page.screenshot(path=str(SHOTS / "20-dashboard.png"), full_page=True)

    page.click("#by-agency a.drill >> text=自营")  # drill down: the in-house accounts
    clicks += 1
    page.wait_for_url(re.compile(r".*/placements\?agency=in_house"))
    boxes = page.locator("#placement-list input[name=account_ids]")
    chosen = [boxes.nth(i).get_attribute("value") for i in range(2)]
    for i in range(2):
        boxes.nth(i).check()
        clicks += 1
    page.select_option("#bulk-action", "move:AG01")
    page.fill("#bulk-reason", "大额逾期委外")
    page.click("#bulk-submit")
    clicks += 3
    page.wait_for_selector("#placements-done")
    assert "已分案 2 户" in page.inner_text("#placements-done")
    page.screenshot(path=str(SHOTS / "21-placed.png"), full_page=True)

    page.goto(f"{site.url}/placements?agency=AG01")
    page.check(f"#placement-list input[value='{chosen[0]}']")
    page.select_option("#bulk-action", "recall")
    page.fill("#bulk-reason", "客户投诉")
    page.click("#bulk-submit")
    clicks += 4
    page.wait_for_selector("#placements-done")
    assert "已退案 1 户" in page.inner_text("#placements-done")
    assert clicks <= 12
    page.screenshot(path=str(SHOTS / "22-recalled.png"), full_page=True)


def test_an_administrator_adds_a_user_who_must_change_the_password(browser, site: Site) -> None:  # noqa: F811
    page = _login(browser, site, "admin", lang="en")
    page.click("#nav-people")
    page.fill("#add-person input[name=username]", "zhou")
    page.fill("#add-person input[name=display_name]", "周催收")
    page.select_option("#add-person select[name=role]", "collector")
    page.click("#add-person button[type=submit]")
    password = page.inner_text("#shown-password code")
    page.screenshot(path=str(SHOTS / "23-user-added.png"), full_page=True)
    page.close()

    first = _login(browser, site, "zhou", password, width=390)
    first.wait_for_url(re.compile(r".*/password$"))
    assert first.locator("#password-required").count() == 1
    first.goto(f"{site.url}/queue")
    assert first.url.endswith("/password")  # nothing else until it is changed
    first.fill("#current_password", password)
    first.fill("#new_password", NEW_PASSWORD)
    first.fill("#repeat", NEW_PASSWORD)
    first.screenshot(path=str(SHOTS / "24-change-password-390.png"), full_page=True)
    first.click("#password-submit")
    first.wait_for_url(re.compile(r".*/queue\?password=changed$"))


def test_an_auditor_filters_the_trail_and_exports_it(browser, site: Site) -> None:  # noqa: F811
    page = _login(browser, site, "auditor")
    page.click("#nav-audit")
    page.select_option("#audit-kind", "login")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/audit\?.*kind=login"))
    kinds = page.locator("#audit-trail tr.audit-row td:nth-child(3)").all_inner_texts()
    assert kinds and all(k.startswith("登录") for k in kinds)
    page.screenshot(path=str(SHOTS / "25-audit-filtered.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#audit-export")
    path = download.value.path()
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"login" in data
