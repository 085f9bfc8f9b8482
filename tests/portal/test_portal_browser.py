"""The customer's journey in a real headless Chromium (Playwright with Debian's /usr/bin/chromium)
against uvicorn, with the SMS gateway stand-in of the outreach tests as its own process: the
operator makes a link with `arrears portal link`, the customer opens it, asks for a code, types
the code the gateway received, chooses a 6-month plan after seeing every installment, and sees
it on the page; on a 390 px phone in Chinese and at 1440 px in English. Screenshots are kept in
docs/img/portal-*.png."""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from portal_support import account_with_mobile
from sqlalchemy import Engine
from test_browser import browser, chromium  # noqa: F401 - the workbench's Chromium fixture
from typer.testing import CliRunner
from workbench_support import CIPHER

from arrears.settings import get_settings

pytestmark = pytest.mark.browser
STANDIN = Path(__file__).resolve().parents[1] / "outreach" / "sms_gateway_standin.py"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
CODE = re.compile(r"(\d{6})")


@dataclass
class Site:
    url: str
    engine: Engine
    record: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


@pytest.fixture
def site(sqlite_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    import uvicorn

    from arrears.entrypoints.api.app import create_app

    record = tmp_path / "gateway.jsonl"
    gateway = subprocess.Popen([sys.executable, str(STANDIN), "--record", str(record)], stdout=subprocess.PIPE,
                               text=True)
    assert gateway.stdout is not None
    gateway_port = int(gateway.stdout.readline())
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    for name, value in {"DATABASE_URL": sqlite_db.url.render_as_string(hide_password=False),
                        "DATA_KEY": _key(CIPHER.data_key), "LOOKUP_KEY": _key(CIPHER.lookup_key),
                        "PUBLIC_URL": url, "SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}/sms",
                        "INSTITUTION_NAME": "样本银行信用卡中心", "LOG_JSON": "false", "LOG_LEVEL": "WARNING",
                        "KEY_FILE": str(tmp_path / "unused.key"),
                        "PAYMENT_ACCOUNT": "6222 0210 0100 8888 888", "PAYMENT_BANK": "样本银行上海分行"}.items():
        monkeypatch.setenv(f"ARREARS_{name}", value)
    get_settings.cache_clear()
    app = create_app()  # the page and its code sender built from the settings, as `arrears serve` does
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Site(url, sqlite_db, record)
    server.should_exit = True
    thread.join(10)
    gateway.kill()
    gateway.wait()
    get_settings.cache_clear()


def _link(account_id: str) -> str:
    from arrears.entrypoints.cli.main import app

    get_settings.cache_clear()
    made = CliRunner().invoke(app, ["portal", "link", account_id])
    assert made.exit_code == 0, made.output
    return made.stdout.strip()


def _code_sent(record: Path, before: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
        if len(lines) > before:
            found = CODE.search(json.loads(lines[-1])["text"])
            assert found
            return found[1]
        time.sleep(0.05)
    raise AssertionError("the gateway received no code")


def _received(record: Path) -> int:
    return len(record.read_text(encoding="utf-8").splitlines()) if record.exists() else 0


def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def _journey(browser, site: Site, *, width: int, height: int, language: str, skip: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    account = account_with_mobile(site.engine, skip)
    url = _link(account["account_id"])
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN" if language == "zh" else "en-US")
    page = context.new_page()
    page.goto(url + ("?lang=en" if language == "en" else ""))
    body = page.content()
    assert account["account_id"] not in body and account["name_masked"] not in body
    page.screenshot(path=str(SHOTS / f"portal-{language}-{width}-1-start.png"), full_page=True)
    before = _received(site.record)
    page.click("#ask-code button")
    code = _code_sent(site.record, before)
    page.fill("#code", code)
    page.screenshot(path=str(SHOTS / f"portal-{language}-{width}-2-code.png"), full_page=True)
    page.click("#verify button")
    page.wait_for_selector("#debt")
    _no_horizontal_scroll(page)
    assert page.locator("#pay-qr svg").count() == 1 and "RF" in page.inner_text("#pay-reference")
    page.screenshot(path=str(SHOTS / f"portal-{language}-{width}-3-account.png"), full_page=True)
    page.click("#months-6")
    page.wait_for_selector("#preview")
    assert page.locator("table.schedule tbody tr").count() == 6
    _no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / f"portal-{language}-{width}-4-plan.png"), full_page=True)
    page.click("#confirm")
    page.wait_for_selector("#flash")
    assert page.locator("#arranged .installments li").count() == 6
    _no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / f"portal-{language}-{width}-5-done.png"), full_page=True)
    assert page.locator("#plans").count() == 0  # no other plan is offered while one is active
    heading = page.inner_text("#arranged h2")
    assert heading == ("您的还款安排" if language == "zh" else "What you have arranged")
    context.close()


def test_a_customer_on_a_phone_chooses_a_six_month_plan_in_chinese(site: Site, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _journey(browser, site, width=390, height=844, language="zh", skip=0)


def test_a_customer_at_a_desk_chooses_a_six_month_plan_in_english(site: Site, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _journey(browser, site, width=1440, height=900, language="en", skip=1)
