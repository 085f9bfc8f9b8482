"""The cases pages in a real headless Chromium (Playwright with Debian's /usr/bin/chromium) at
390 px (a phone) and 1440 px, in Chinese and English, with the real database-backed gate:
the disputed account's page shows the hold and its open cases; the team lead's cases list.
Screenshots go to docs/img/cases-*.png (the fixtures are test_browser.py's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_browser import Site, _login, browser, chromium, site  # noqa: F401 - the browser fixtures
from workbench_support import account_of_agency

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


def _cases(site: Site) -> str:  # noqa: F811 - the fixture's name
    from arrears.bootstrap import cases_uow
    from arrears.domain.cases import Upload
    from arrears.services.cases import Actor, AskHardshipHelp, RaiseDispute, ask_hardship_help, raise_dispute

    wb = site.wb
    account = account_of_agency(wb.engine, None)
    customer = Actor.customer(account)
    text = "这笔 1,280.00 元的消费不是我本人刷的，请核实。"
    raise_dispute(cases_uow(wb.engine, wb.cipher), RaiseDispute(account, text), actor=customer,
                  now=wb.now() - timedelta(days=20))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
    ask_hardship_help(cases_uow(wb.engine, wb.cipher), AskHardshipHelp(
        account, "住院两个月，收入中断，申请停息分期。", (Upload("hospital-bill.png", png),)), actor=customer,
        now=wb.now() - timedelta(hours=3))
    other = account_of_agency(wb.engine, "AG01")
    ask_hardship_help(cases_uow(wb.engine, wb.cipher), AskHardshipHelp(other, "Lost my job in October."),
                      actor=Actor.customer(other), now=wb.now())
    return account


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_cases_pages_at_phone_and_desktop_width(browser, site: Site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    account = _cases(site)
    page = _login(browser, site, "lead")
    for width, height in ((390, 844), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{site.url}/cases")
        assert "已超过答复期限" in page.inner_text("#case-list")
        _no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"cases-list-{width}.png"), full_page=True)
        page.goto(f"{site.url}/accounts/{account}")
        assert "停催中" in page.inner_text("#cases")
        assert "CN-DISP-02" in page.inner_text("#compliance-now")
        _no_sideways_scroll(page)
        page.locator("#cases").screenshot(path=str(SHOTS / f"cases-account-{width}.png"))
    page.goto(f"{site.url}/cases?lang=en")
    assert "Past the due date" in page.inner_text("#case-list")
    page.screenshot(path=str(SHOTS / "cases-list-1440-en.png"), full_page=True)
