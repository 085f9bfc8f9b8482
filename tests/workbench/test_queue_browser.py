"""The queue's screens in a real headless Chromium with the stored contact gate (issue 16): the
queue with its reasons in Chinese and English, the account page's skip and save-and-next, and the
plain answer after 22:00, at 1440 and 390 px. The screenshots are the ones in docs/work-queue.md
(docs/img/queue/)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from test_browser import Site, browser, chromium, signed_in, site  # noqa: F401 (the fixtures)
from workbench_support import SHANGHAI

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "queue"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _page(browser, site: Site, language: str, width: int):  # type: ignore[no-untyped-def]  # noqa: F811
    page = signed_in(browser, site, "collector", language, width)
    page.wait_for_url(re.compile(r".*/queue$"))
    return page


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 390), ("en", 1440), ("zh", 390)])
def test_the_queue_and_the_account_page_in_both_languages_and_widths(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int) -> None:  # noqa: F811
    DOCS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, site, language, width)
    reasons = page.locator("#waiting tr td:nth-child(3)").all_inner_texts()
    assert reasons
    if language == "en":
        assert all("days past due" in r and not CJK.search(r) for r in reasons), reasons[:3]
    else:
        assert all("逾期" in r for r in reasons), reasons[:3]
    page.screenshot(path=str(DOCS / f"queue-{language}-{width}.png"), full_page=True)
    page.click("#next-account")
    page.wait_for_url(re.compile(r".*/accounts/.+"))
    first = page.url
    assert page.locator("#skip-reason").count() == 1 and page.locator("#log-and-next").count() == 1
    page.screenshot(path=str(DOCS / f"account-{language}-{width}.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.select_option("#skip-reason", "customer_busy")
    page.click("#skip-submit")
    page.wait_for_url(re.compile(r".*/accounts/.+"))
    assert page.url != first
    page.close()


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 390)])
def test_after_ten_at_night_the_queue_says_nobody_may_be_contacted(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int) -> None:  # noqa: F811
    DOCS.mkdir(parents=True, exist_ok=True)
    site.clock.set(datetime(2026, 11, 29, 22, 5, tzinfo=SHANGHAI))
    page = _page(browser, site, language, width)
    page.click("#next-account")
    page.wait_for_selector("#queue-blocked")
    text = page.inner_text("#queue-blocked")
    expected = "nobody in the queue may be contacted now" if language == "en" else "现在不能联系队列中的案件"
    assert expected in text and "22:05" in text
    assert page.url.endswith("/queue/next") or page.url.endswith("/queue")
    page.screenshot(path=str(DOCS / f"blocked-{language}-{width}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 390)])
def test_the_search_box_finds_a_caller_by_phone(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int, small_demo: Path) -> None:  # noqa: F811
    import polars as pl

    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False).filter(pl.col("agency_id").is_null())
    phone = (points.filter(pl.col("kind") == "mobile", pl.col("owner") == "debtor")
             .join(accounts, on="customer_id").sort("customer_id")["value"][0])
    page = _page(browser, site, language, width)
    page.fill("#search-q", "86 " + phone.removeprefix("+86"))
    page.click("#search-submit")
    page.wait_for_selector("#search-results")
    assert page.locator("#search-results a").count() >= 1
    assert phone.removeprefix("+86") not in page.inner_text("#search-results")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(DOCS / f"search-{language}-{width}.png"), full_page=True)
    page.close()
