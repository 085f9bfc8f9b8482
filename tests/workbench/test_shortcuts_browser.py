"""The collector's keyboard (issue 16) and the account page's contact points in a real headless
Chromium with the stored contact gate: the queue and the account page put the focus where work
starts, 1-6 choose a call's outcome, D saves and opens the next account, nothing fires while one
types in a text field except Ctrl+Enter, ? opens the help; keystrokes and clicks are counted.
Screenshots at 1440 and 390 px, zh and en, go to docs/img/shortcuts/ and docs/img/contact-points/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from test_browser import Site, browser, chromium, signed_in, site  # noqa: F401 (the fixtures)

from arrears.adapters.storage.gate_tables import contact_attempts

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(autouse=True)
def _folders() -> None:
    for folder in ("shortcuts", "contact-points"):
        (DOCS / folder).mkdir(parents=True, exist_ok=True)


class Keys:
    """The keyboard and the mouse, counted."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page, self.keys, self.clicks = page, 0, 0

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)


def _login(browser, site: Site, language: str, width: int):  # type: ignore[no-untyped-def]  # noqa: F811
    page = signed_in(browser, site, "collector", language, width)
    page.wait_for_url(re.compile(r".*/queue$"))
    return page


def _focused(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement && document.activeElement.id")


def _outcomes(site: Site, account_id: str) -> list[str | None]:  # noqa: F811 (the fixture's value)
    with site.wb.engine.connect() as connection:
        return list(connection.execute(select(contact_attempts.c.outcome).where(
            contact_attempts.c.account_id == account_id)).scalars())


def test_a_no_answer_is_logged_and_the_next_account_opened_with_two_keys_and_no_click(  # type: ignore[no-untyped-def]
        browser, site: Site) -> None:  # noqa: F811
    page = _login(browser, site, "zh", 1440)
    keys = Keys(page)
    page.wait_for_selector("#shortcuts:not([hidden])")
    assert _focused(page) == "next-account"
    keys.press("n")
    page.wait_for_url(re.compile(r".*/accounts/.+"))
    assert _focused(page) == "channel"  # the first field of the contact form
    first = page.inner_text("#account-id")
    assert page.locator("#channel option[value=call]").is_enabled(), "the first account may not be called now"

    for account in range(3):  # each account: 1 (no answer), D (save and next)
        current = page.inner_text("#account-id")
        before = keys.keys
        keys.press("1")
        assert page.eval_on_selector("#channel", "s => s.value") == "call"
        assert page.eval_on_selector("#contact_point_id", "s => s.selectedOptions[0].dataset.kind") in (
            "mobile", "home", "work")
        assert page.eval_on_selector("#outcome", "s => s.value") == "no_answer"
        assert page.inner_text("#shortcut-chosen") == "无人接听"
        if account == 0:
            page.screenshot(path=str(DOCS / "shortcuts" / "account-keys-zh-1440.png"), full_page=False)
        keys.press("d")
        page.wait_for_function(f"document.getElementById('account-id') && "
                               f"document.getElementById('account-id').innerText !== '{current}'")
        assert keys.keys - before == 2
        assert _outcomes(site, current) == ["no_answer"]
    assert keys.clicks == 0 and keys.keys == 1 + 3 * 2
    assert page.inner_text("#account-id") != first


def test_keys_do_nothing_while_typing_except_ctrl_enter_which_saves(browser, site: Site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = _login(browser, site, "en", 1440)
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r".*/accounts/.+"))
    account_id = page.inner_text("#account-id")
    page.keyboard.press("3")  # conversation, by key
    page.select_option("#party", "debtor")
    page.click("#notes")
    page.keyboard.type("d1 n?")  # typed into the notes, not taken as keys
    assert page.input_value("#notes") == "d1 n?"
    assert page.eval_on_selector("#outcome", "s => s.value") == "conversation"
    assert page.locator("#shortcut-help").is_hidden()
    assert page.inner_text("#account-id") == account_id
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#logged-notice")
    assert _outcomes(site, account_id) == ["conversation"]
    assert "d1 n?" in page.inner_text("#contacts")
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    assert "Ctrl" in page.inner_text("#shortcut-help")
    page.screenshot(path=str(DOCS / "shortcuts" / "account-help-en-1440.png"), full_page=False)
    page.keyboard.press("Escape")
    assert page.locator("#shortcut-help").is_hidden()
    page.keyboard.press("/")
    assert _focused(page) == "search-q"


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 1440), ("zh", 390), ("en", 390)])
def test_the_queue_shows_its_keys_and_focuses_the_next_account(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int) -> None:  # noqa: F811
    page = _login(browser, site, language, width)
    assert _focused(page) == "next-account"
    if width > 600:
        assert page.locator("#shortcuts").is_visible()
        assert ("下一个账户" if language == "zh" else "Next account") in page.inner_text("#shortcuts")
    else:  # a phone: no legend (no keyboard), nothing wider than the screen
        assert page.locator("#shortcuts").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(DOCS / "shortcuts" / f"queue-{language}-{width}.png"), full_page=False)


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 1440), ("zh", 390), ("en", 390)])
def test_the_contact_points_with_their_forms_in_both_languages_and_widths(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int) -> None:  # noqa: F811
    page = _login(browser, site, language, width)
    page.click("#next-account")
    page.wait_for_url(re.compile(r".*/accounts/.+"))
    page.click("#point-actions-1 summary")
    page.click("#add-point summary")
    page.fill("#point-value", "12345")
    page.click("#add-point-submit")
    page.wait_for_selector("#point-error")
    assert page.input_value("#point-value") == "12345"  # what was typed stays
    assert _focused(page) == "point-value"
    page.fill("#point-value", "139 1234 5678")
    page.click("#add-point-submit")
    page.wait_for_selector("#point-notice")
    page.click("#point-actions-1 summary")
    page.select_option("#consent-method-1", "recorded_call")
    page.click("#consent-submit-1")
    page.wait_for_selector("#point-notice")
    cell = page.inner_text("#point-1 .point-consent")
    assert ("已同意" if language == "zh" else "Consent given") in cell
    page.click("#point-actions-1 summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#contact-points").screenshot(path=str(DOCS / "contact-points" / f"points-{language}-{width}.png"))
