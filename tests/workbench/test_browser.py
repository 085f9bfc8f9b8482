"""End to end in a real headless Chromium (Playwright with Debian's /usr/bin/chromium), against
uvicorn on a free port, with the real database-backed compliance gate and a settable clock.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, SHANGHAI, account_of_agency, loaded_engine

from arrears.adapters.clock import FixedClock
from arrears.services.workbench.context import Workbench

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One Chromium for the tests of a module (starting one costs about 0.8 s of CPU here). Per
    module, not per process: Playwright's synchronous API keeps an event loop marked running,
    which other modules' ``asyncio.run`` would trip over."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The module's Chromium; the pages (and their cookies) a test opened are closed after it."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


def signed_in(browser, site: Site, username: str, language: str = "zh", width: int = 1440):  # type: ignore[no-untyped-def]
    """A new page of ``width`` px, signed in as ``username`` with the pages in ``language``."""
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.goto(f"{site.url}/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()
    return page


def _login(browser, site: Site, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/(queue|team|compliance)$"))  # each role lands on its own page
    return page


def _take_a_callable_account(page) -> str:  # type: ignore[no-untyped-def]
    for _ in range(10):
        page.goto(page.url.split("/accounts")[0].split("/queue")[0] + "/queue")
        page.click("#next-account")
        page.wait_for_url(re.compile(r".*/accounts/.+"))
        if page.locator("#status-call td.allow").count():
            return page.inner_text("#account-id")
    raise AssertionError("no account in the first ten could be called now")


def test_a_collectors_morning_in_the_browser(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{site.url}/login")
    assert "登录" in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / "01-login.png"), full_page=True)
    page.fill("#username", "collector")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/queue"))
    assert "下一个账户" in page.inner_text("#next-account")
    page.screenshot(path=str(SHOTS / "02-queue.png"), full_page=True)

    account_id = _take_a_callable_account(page)
    name = page.inner_text("#rv-name .masked")
    assert "*" in name
    phone_key = page.locator("#contact-points form input[name=purpose]").first.get_attribute("id")
    key = phone_key.removeprefix("purpose-")
    assert "*" in page.inner_text(f"#rv-{key} .masked")
    page.screenshot(path=str(SHOTS / "03-account-masked.png"), full_page=True)

    page.fill(f"#purpose-{key}", "致电债务人核实还款意愿")
    page.click(f"#reveal-{key}")
    revealed = page.locator(f"#rv-{key} [data-revealed]")
    revealed.wait_for()
    assert "*" not in revealed.inner_text() and re.search(r"\d{6,}", revealed.inner_text())
    page.screenshot(path=str(SHOTS / "04-revealed.png"), full_page=True)

    phone_value = page.eval_on_selector(
        "#contact_point_id", "s => [...s.options].find(o => ['mobile', 'home', 'work'].includes(o.dataset.kind)).value")
    page.select_option("#channel", "call")
    page.select_option("#contact_point_id", phone_value)
    page.select_option("#outcome", "no_answer")
    page.click("#log-submit")
    page.wait_for_selector("#logged-notice")
    assert "无人接听" in page.inner_text("#contacts")

    page.select_option("#channel", "call")
    page.select_option("#contact_point_id", phone_value)
    page.select_option("#outcome", "conversation")
    page.select_option("#party", "debtor")
    page.fill("#notes", "客户承诺月底前还款")
    page.fill("#promise_amount", "1500.00")
    page.fill("#promise_date", "2026-12-05")
    page.fill("#callback_at", "2026-11-30T15:00")
    page.click("#log-submit")
    page.wait_for_selector("#logged-notice")
    assert "1,500.00" in page.inner_text("#promises")
    assert "客户承诺月底前还款" in page.inner_text("#contacts")
    page.wait_for_selector("#message-reminder")  # the template previews load after the page (HTMX)
    assert "尾号" in page.inner_text("#message-previews")
    page.screenshot(path=str(SHOTS / "05-contact-logged.png"), full_page=True)

    page.click("#nav-my-day")
    assert account_id in page.inner_text("#fu-later")
    page.screenshot(path=str(SHOTS / "06-my-day.png"), full_page=True)

    _a_night_call_is_blocked(page, site, account_id, phone_value)


def _a_night_call_is_blocked(page, site: Site, account_id: str, phone_value: str) -> None:  # type: ignore[no-untyped-def]
    site.clock.set(datetime(2026, 11, 29, 22, 30, tzinfo=SHANGHAI))
    page.goto(f"{site.url}/accounts/{account_id}")
    assert page.locator("#channel option[value=call]").is_disabled()
    assert "22:30" in page.inner_text("#blocked-call")
    page.screenshot(path=str(SHOTS / "07-call-blocked-at-night.png"), full_page=True)
    page.evaluate("document.querySelector('#channel option[value=call]').disabled = false")
    page.select_option("#channel", "call")
    page.select_option("#contact_point_id", phone_value)
    page.select_option("#outcome", "no_answer")
    page.click("#log-submit")
    assert "22:30" in page.inner_text("#contact-error")
    assert "CN-TIME-01" in page.inner_text("#contact-error")

    page.goto(f"{site.url}/queue?lang=en")
    assert "Next account" in page.inner_text("#next-account")


def test_an_agency_user_cannot_see_another_agencys_account_by_url_or_api(  # type: ignore[no-untyped-def]
    browser, site: Site
) -> None:
    other = account_of_agency(site.wb.engine, "AG02")
    own = account_of_agency(site.wb.engine, "AG01")
    page = _login(browser, site, "agency1")
    reply = page.goto(f"{site.url}/accounts/{other}")
    assert reply.status == 404
    assert other in page.inner_text("#error-message")
    page.screenshot(path=str(SHOTS / "08-agency-other-account-404.png"), full_page=True)
    assert page.goto(f"{site.url}/accounts/{own}").status == 200
    token = httpx.post(f"{site.url}/v1/auth/token", json={"username": "agency1", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{site.url}/v1/accounts/{other}", headers=headers).status_code == 404
    assert httpx.get(f"{site.url}/v1/accounts/{own}", headers=headers).status_code == 200


def test_team_lead_and_compliance_pages_render(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    lead = _login(browser, site, "lead")
    lead.click("#nav-team")
    assert lead.locator("#collectors").count() == 1
    lead.screenshot(path=str(SHOTS / "09-team.png"), full_page=True)
    officer = _login(browser, site, "compliance")
    officer.click("#nav-compliance")
    assert "登录" in officer.inner_text("#audit")
    officer.screenshot(path=str(SHOTS / "10-compliance.png"), full_page=True)


def test_pages_without_a_session_send_you_to_login(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{site.url}/my-day")
    assert page.url.endswith("/login")


def test_the_pages_work_under_the_content_security_policy(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    """No inline script or style is refused: HTMX loads the previews and swaps a reveal in."""
    refused: list[str] = []
    page = browser.new_page(locale="zh-CN")
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text else None)
    page.goto(f"{site.url}/login")
    page.fill("#username", "collector")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/queue"))
    reply = page.goto(f"{site.url}/accounts/{account_of_agency(site.wb.engine, None)}")
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["cache-control"] == "no-store"
    page.wait_for_selector("#message-reminder")  # loaded by HTMX after the page
    page.fill("#purpose-birth_date", "核实身份")
    page.click("#reveal-birth_date")
    page.locator("#rv-birth_date [data-revealed]").wait_for()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.inner_text("#rv-birth_date [data-revealed]"))
    assert refused == []


@pytest.mark.parametrize(("path", "shows"), [("/docs", "/v1/health"), ("/redoc", "/v1/health")])
def test_the_api_documentation_pages_work_without_internet(site: Site, browser, path: str, shows: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    outside: list[str] = []

    def only_this_server(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(site.url) or route.request.url.startswith("blob:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(site.url + path)
    page.get_by_text(shows).first.wait_for(timeout=20_000)
    page.screenshot(path=str(SHOTS / f"api-docs{path.replace('/', '-')}.png"))
    assert outside == []  # nothing fetched from outside (ReDoc's "powered by" logo is blocked by the policy)
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e]
    page.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_page_is_wider_than_a_phone(browser, site: Site, language: str) -> None:  # type: ignore[no-untyped-def]
    for username, pages in (("collector", ["/queue", "NEXT", "/my-day"]), ("lead", ["/team"]),
                            ("compliance", ["/compliance"])):
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{site.url}/login?lang={language}")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(re.compile(r".*/(queue|team|compliance)$"))
        for path in pages:
            if path == "NEXT":
                page.goto(f"{site.url}/queue")
                page.click("#next-account")
                page.wait_for_url(re.compile(r".*/accounts/.+"))
            else:
                page.goto(site.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            name = page.url.rsplit("/", 2)[-2] if "/accounts/" in page.url else path.strip("/")
            page.screenshot(path=str(SHOTS / f"phone-{name}-{language}.png"), full_page=True)
            assert width <= 390, f"{page.url} lays out at {width} px on a 390 px phone"
        page.close()
