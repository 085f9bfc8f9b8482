"""The cases pages in a real headless Chromium (Playwright with Debian's /usr/bin/chromium) at
390 px (a phone) and 1440 px, in Chinese and English, with the real database-backed gate:
the disputed account's page shows the hold and its open cases; the team lead's cases list.
Screenshots go to docs/img/cases-*.png (the fixtures are test_browser.py's)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, account_of_agency, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.services.workbench.context import Workbench

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@dataclass
class Site:
    url: str
    wb: Workbench
    clock: FixedClock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(workbench_template: Path, tmp_path: Path) -> Iterator[Site]:
    import uvicorn

    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench
    from arrears.services.contact_gate import SqlContactGate

    engine = loaded_engine(workbench_template, tmp_path)
    clock = FixedClock(AS_OF_NOON)
    wb = Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=clock,
                   session_ttl=timedelta(hours=14))  # a long day: still logged in at 22:30
    app = create_app()
    configure_workbench(app, wb)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", wb, clock)
    server.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


def _login(browser, site: Site, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/(queue|team|compliance)$"))  # each role lands on its own page
    return page


def _cases(site: Site) -> str:
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


def test_the_cases_pages_at_phone_and_desktop_width(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
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
