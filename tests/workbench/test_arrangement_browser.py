"""Arrangements in a real headless Chromium (issue 16): a collector takes the next account, quotes
a 6-month plan (every installment shown, swapped in by HTMX) and books it, then offers a
settlement beyond their authority, which goes to the approvals inbox; a team lead approves it
there. At 1440 and 390 px, in Chinese and English; clicks and typed fields counted. The
screenshots are the ones in docs/arrangements.md (docs/img/arrangements/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import Counted, fits
from sqlalchemy import select
from test_browser import Site, browser, chromium, signed_in, site  # noqa: F401 (the fixtures)

from arrears.adapters.storage.arrangements_tables import approval_requests, installment_plans, settlements

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "arrangements"
WORDS = {
    "zh": {"agreed": "分期已签订并生效", "pending": "超出您的审批权限", "approved": "已批准并入账", "needs": "组长"},
    "en": {"agreed": "The installment plan is agreed and active", "pending": "Beyond your own authority",
           "approved": "Approved and booked", "needs": "Team lead"},
}


def _signed_in(browser, site: Site, username: str, language: str, width: int):  # type: ignore[no-untyped-def]  # noqa: F811
    return signed_in(browser, site, username, language, width)


def _collector_offers(browser, site: Site, language: str, width: int) -> tuple[str, list[tuple[int, int]]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """The collector's part: the next account, a 6-month plan, a settlement for the approver;
    the account and the (clicks, fields typed) of the plan and of the settlement."""
    words, shot = WORDS[language], f"{language}-{width}"
    collector = _signed_in(browser, site, "collector", language, width)
    refused: list[str] = []  # nothing refused by the content security policy (HTMX swaps the quote)
    collector.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    collector.click("#next-account")
    collector.wait_for_url(re.compile(r".*/accounts/.+"))
    account_id = collector.inner_text("#account-id")
    me = Counted(collector)

    me.click("#arr-plan summary")  # the plan: months default to 6
    me.fill("#plan-first-due", "2026-12-15")
    me.click("#plan-quote")
    collector.wait_for_selector("#plan-quote-table")  # swapped in by HTMX, no page load
    assert collector.locator("#plan-quote-table tr.quote-row").count() == 6
    assert collector.url.endswith(f"/accounts/{account_id}")
    fits(collector, width)
    collector.locator("#arrangements").screenshot(path=str(DOCS / f"1-plan-quote-{shot}.png"))
    me.click("#plan-agree")
    collector.wait_for_selector("#arranged-notice")
    assert words["agreed"] in collector.inner_text("#arranged-notice")
    plan = (me.clicks, me.typed)

    me.click("#arr-settlement summary")  # a 20% discount: above a collector's 10%
    me.fill("#settlement-discount", "20")
    me.fill("#settlement-first-due", "2026-12-20")
    me.fill("#settlement-note", "失业三个月，亲属代偿八成" if language == "zh" else "Out of work; family pays 80%")
    me.click("#settlement-submit")
    collector.wait_for_selector(".pending-request.notice")
    waiting = collector.inner_text(".pending-request.notice")
    assert words["pending"] in waiting and words["needs"] in waiting
    fits(collector, width)
    collector.locator("#arrangements").screenshot(path=str(DOCS / f"2-settlement-pending-{shot}.png"))
    assert refused == []
    collector.close()
    return account_id, [plan, (me.clicks - plan[0], me.typed - plan[1])]


def _lead_approves(browser, site: Site, language: str, width: int, account_id: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]  # noqa: F811
    """The team lead's part: the inbox, the request, approved; its id and the clicks."""
    shot = f"{language}-{width}"
    lead = _signed_in(browser, site, "lead", language, width)
    checker = Counted(lead)
    checker.click("#nav-approvals")
    request = lead.locator("article.approval", has_text=account_id)
    assert request.count() == 1 and "collector" in request.inner_text()
    fits(lead, width)
    lead.screenshot(path=str(DOCS / f"3-approvals-{shot}.png"), full_page=True)
    approval_id = request.get_attribute("id").removeprefix("approval-")
    checker.click(f"#approve-{approval_id}")
    lead.wait_for_selector("#approval-done")
    assert WORDS[language]["approved"] in lead.inner_text("#approval-done")
    lead.screenshot(path=str(DOCS / f"4-approved-{shot}.png"), full_page=False)
    lead.close()
    assert checker.typed == 0
    return approval_id, checker.clicks


@pytest.mark.parametrize(("language", "width"), [("zh", 1440), ("en", 390), ("en", 1440), ("zh", 390)])
def test_a_collector_books_a_plan_and_a_settlement_that_a_team_lead_approves(  # type: ignore[no-untyped-def]
        browser, site: Site, language: str, width: int) -> None:  # noqa: F811
    DOCS.mkdir(parents=True, exist_ok=True)
    account_id, (plan, settlement) = _collector_offers(browser, site, language, width)
    approval_id, approver_clicks = _lead_approves(browser, site, language, width, account_id)
    with site.wb.engine.connect() as connection:
        assert connection.execute(select(installment_plans.c.months).where(
            installment_plans.c.account_id == account_id)).scalars().all() == [6]
        assert connection.execute(select(settlements.c.approved_by).where(
            settlements.c.account_id == account_id)).scalars().all() == ["lead"]
        assert connection.execute(select(approval_requests.c.status).where(
            approval_requests.c.approval_id == approval_id)).scalar_one() == "approved"
    # The clicks a person makes (docs/arrangements.md): a plan in 3 clicks and 1 date typed, a
    # settlement in 2 clicks and 3 fields typed, the approval in 2 clicks.
    assert (plan, settlement, approver_clicks) == ((3, 1), (2, 3), 2)
