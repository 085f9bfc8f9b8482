"""The rule book in a real Chromium: the compliance officer goes from the compliance page to a
rule's row in two clicks, at 1440 and 390 px, in Chinese and English, and nothing is wider than
the screen. The screenshots are the ones in docs/compliance.md (docs/img/rules/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import Site, browser, chromium, signed_in, site  # noqa: F401 - the browser fixtures

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "rules"


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 390), ("en", 1440), ("zh", 390)])
def test_the_compliance_officer_reads_a_rule_from_the_compliance_page(browser, site: Site, language: str,  # noqa: F811
                                                                      width: int) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, site, "compliance", language, width)
    page.goto(f"{site.url}/compliance")
    assert page.locator("#reviews").count() == 1
    page.click("#rule-book")
    page.wait_for_load_state()
    assert page.locator("tr.rule").count() > 50
    page.click("a[href='/rules?pack=US']")
    page.wait_for_load_state()
    assert page.locator("#rule-US-TIME-01").is_visible() and page.locator("#rule-CN-TIME-01").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
    page.goto(f"{site.url}/rules#rule-CN-TIME-01")
    assert page.locator("#rule-CN-TIME-01").is_visible()
    page.screenshot(path=str(DOCS / f"rules-{language}-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
    page.close()
