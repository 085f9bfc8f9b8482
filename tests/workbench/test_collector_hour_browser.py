"""A collector's hour in a real headless Chromium (issue 16), with the stored contact gate: a
customer calls in, the collector finds them by phone (spelt four ways), logs the inbound call with
a promise and goes on to the next account of the queue in the same click; logs a no-answer there
and takes the next; has a conversation on that one and offers a 6-month plan (booked) and a
settlement beyond their authority, which a team lead approves from the inbox; the caller's history
shows the call as inbound. Four times in the
hour: at 1440 and 390 px, in Chinese and in English, on one browser and one page per person.

Clicks (a choice in a list is a click) and fields typed are counted per account and held to the
goals of the issue: at most 5 clicks for a no-answer, at most 8 for a call with a promise. The
figures are the ones in docs/work-queue.md; the screenshots are in docs/img/collector-hour/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from browser_support import Counted, fits
from sqlalchemy import select
from test_browser import Site, browser, chromium, signed_in, site  # noqa: F401 (the fixtures)

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import approval_requests, installment_plans, promises_to_pay
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.workbench_tables import work_items

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "collector-hour"
ROUNDS = [("zh", 1440), ("en", 390), ("en", 1440), ("zh", 390)]  # a quarter of the hour each
GOALS = {"no_answer": 5, "promise": 8}  # clicks per account (issue 16)
WORDS = {
    "zh": {"inbound": "来电：客户打给我们的电话", "logged": "来电已登记", "agreed": "分期已签订并生效",
           "pending": "超出您的审批权限", "approved": "已批准并入账"},
    "en": {"inbound": "Inbound call: the customer called us", "logged": "Inbound call logged",
           "agreed": "The installment plan is agreed and active", "pending": "Beyond your own authority",
           "approved": "Approved and booked"},
}


def _section_shot(page, selector: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The screen with the section at its top, below the keys' legend that stays at the top."""
    page.eval_on_selector(selector, "e => { e.scrollIntoView(); window.scrollBy(0, -44); }")
    page.screenshot(path=str(DOCS / name), full_page=False)


def _spellings(e164: str) -> list[str]:
    """A mobile as callers and collectors write it: +86 with spaces, 86 run together, dashes, national."""
    national = e164.removeprefix("+86")
    return [f"+86 {national[:3]} {national[3:7]} {national[7:]}", "86" + national,
            f"{national[:3]}-{national[3:7]}-{national[7:]}", national]


def _callers(site: Site, small_demo: Path, count: int) -> list[tuple[str, str]]:  # noqa: F811
    """(account, debtor's mobile) of in-house customers at the bottom of today's queue (far from
    what the queue hands out in an hour), one account each."""
    with site.wb.engine.connect() as connection:
        waiting = connection.execute(
            select(work_items.c.account_id).join(t.accounts, t.accounts.c.account_id == work_items.c.account_id)
            .where(work_items.c.queue_date == site.wb.today(), t.accounts.c.agency_id.is_(None))
            .order_by(work_items.c.priority, work_items.c.item_id.desc()).limit(60)).scalars().all()
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    single = accounts.group_by("customer_id").agg(pl.col("account_id").first(), pl.len().alias("n")).filter(
        pl.col("n") == 1)
    mobiles = points.filter(pl.col("kind") == "mobile", pl.col("owner") == "debtor", pl.col("status") != "invalid",
                            pl.col("do_not_contact") != "true").unique("customer_id", keep="first")
    found = dict(single.join(mobiles, on="customer_id").select("account_id", "value").iter_rows())
    callers = [(account, found[account]) for account in waiting if account in found]
    assert len(callers) >= count, callers
    return callers[:count]


def _inbound_call(me: Counted, account_id: str, typed_phone: str, shot: str) -> str:
    """The phone rings: find the caller, log the call with a promise, save and open the next
    account. The next account's id."""
    page = me.page
    words = WORDS["en" if shot.startswith("en") else "zh"]
    me.fill("#search-q", typed_phone)
    me.click("#search-submit")
    page.wait_for_selector(f"#inbound-{account_id}")
    fits(page, page.viewport_size["width"])
    page.screenshot(path=str(DOCS / f"1-search-{shot}.png"), full_page=False)
    me.click(f"#inbound-{account_id}")
    page.wait_for_selector("#inbound-notice")
    assert words["inbound"] in page.inner_text("#inbound-notice")
    assert page.input_value("#direction") == "inbound" and page.input_value("#outcome") == "conversation"
    assert page.input_value("#party") == "debtor"
    me.fill("#notes", "月底发工资后还一部分" if shot.startswith("zh") else "Pays part after payday")
    me.fill("#promise_amount", "500.00")
    me.fill("#promise_date", "2026-12-05")
    page.locator("#promise_date").blur()
    fits(page, page.viewport_size["width"])
    _section_shot(page, "#log-contact", f"2-inbound-call-{shot}.png")
    me.click("#log-and-next")
    page.wait_for_url(re.compile(r".*/accounts/(?!" + account_id + r")[^/?#]+$"))
    return page.inner_text("#account-id")


def _no_answer(me: Counted, shot: str) -> str:
    """An outbound call nobody answers: a call, the number, no answer, save and next."""
    page = me.page
    account_id = page.inner_text("#account-id")
    assert page.locator("#channel option[value=call]").is_enabled(), f"{account_id} may not be called now"
    phone = page.eval_on_selector("#contact_point_id", "s => [...s.options].find(o => !o.disabled && "
                                  "['mobile', 'home', 'work'].includes(o.dataset.kind)).value")
    me.choose("#channel", "call")
    me.choose("#contact_point_id", phone)
    me.choose("#outcome", "no_answer")
    _section_shot(page, "#log-contact", f"3-no-answer-{shot}.png")
    me.click("#log-and-next")
    # while the next page loads there is no #account-id for a moment: wait for the new one
    page.wait_for_function(f"document.getElementById('account-id') && "
                           f"document.getElementById('account-id').innerText !== '{account_id}'")
    return page.inner_text("#account-id")


def _conversation_with_offers(me: Counted, shot: str) -> str:
    """A conversation, a 6-month plan quoted and booked, a settlement beyond the collector's
    authority sent to the approver."""
    page = me.page
    words = WORDS["en" if shot.startswith("en") else "zh"]
    account_id = page.inner_text("#account-id")
    phone = page.eval_on_selector("#contact_point_id", "s => [...s.options].find(o => !o.disabled && "
                                  "['mobile', 'home', 'work'].includes(o.dataset.kind)).value")
    me.choose("#channel", "call")
    me.choose("#contact_point_id", phone)
    me.choose("#outcome", "conversation")
    me.choose("#party", "debtor")
    me.click("#log-submit")
    page.wait_for_selector("#logged-notice")
    me.click("#arr-plan summary")  # months default to 6
    me.fill("#plan-first-due", "2026-12-15")
    me.click("#plan-quote")
    page.wait_for_selector("#plan-quote-table")  # swapped in by HTMX
    assert page.locator("#plan-quote-table tr.quote-row").count() == 6
    me.click("#plan-agree")
    page.wait_for_selector("#arranged-notice")
    assert words["agreed"] in page.inner_text("#arranged-notice")
    me.click("#arr-settlement summary")  # 20% off: above a collector's 10%
    me.fill("#settlement-discount", "20")
    me.fill("#settlement-first-due", "2026-12-20")
    me.fill("#settlement-note", "失业三个月，亲属代偿八成" if shot.startswith("zh") else "Out of work; family pays 80%")
    me.click("#settlement-submit")
    page.wait_for_selector(".pending-request.notice")
    assert words["pending"] in page.inner_text(".pending-request.notice")
    fits(page, page.viewport_size["width"])
    _section_shot(page, "#arrangements", f"4-plan-and-settlement-{shot}.png")
    return account_id


def _approve(checker: Counted, account_id: str, shot: str) -> str:
    page = checker.page
    words = WORDS["en" if shot.startswith("en") else "zh"]
    checker.click("#nav-approvals")
    request = page.locator("article.approval", has_text=account_id)
    assert request.count() == 1
    approval_id = request.get_attribute("id").removeprefix("approval-")
    checker.click(f"#approve-{approval_id}")
    page.wait_for_selector("#approval-done")
    assert words["approved"] in page.inner_text("#approval-done")
    fits(page, page.viewport_size["width"])
    page.screenshot(path=str(DOCS / f"5-approved-{shot}.png"), full_page=False)
    return approval_id


def _show(page, site: Site, language: str, width: int, path: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.url}{path}?lang={language}")


def test_a_collectors_hour_of_inbound_calls_no_answers_plans_and_an_approved_settlement(  # type: ignore[no-untyped-def]
        browser, site: Site, small_demo: Path) -> None:  # noqa: F811
    DOCS.mkdir(parents=True, exist_ok=True)
    collector = signed_in(browser, site, "collector", "zh", 1440)
    lead = signed_in(browser, site, "lead", "zh", 1440)
    refused: list[str] = []  # nothing refused by the content security policy
    collector.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    callers = _callers(site, small_demo, len(ROUNDS))
    counts: dict[str, list[tuple[int, int]]] = {"promise": [], "no_answer": [], "offers": [], "approval": []}
    for number, ((language, width), (caller, mobile)) in enumerate(zip(ROUNDS, callers, strict=True)):
        shot = f"{language}-{width}"
        if number:  # a quarter of an hour later: the last account's hold has run out
            site.clock.set(site.clock.now + timedelta(minutes=31))
        _show(collector, site, language, width, "/queue")
        me = Counted(collector)
        start = me.since(0, 0)
        after_inbound = _inbound_call(me, caller, _spellings(mobile)[number], shot)
        counts["promise"].append(me.since(*start))
        mark = (me.clicks, me.typed)
        offered_on = _no_answer(me, shot)
        counts["no_answer"].append(me.since(*mark))
        mark = (me.clicks, me.typed)
        assert _conversation_with_offers(me, shot) == offered_on
        counts["offers"].append(me.since(*mark))
        _show(lead, site, language, width, "/queue")
        checker = Counted(lead)
        approval_id = _approve(checker, offered_on, shot)
        counts["approval"].append((checker.clicks, checker.typed))
        _show(collector, site, language, width, f"/accounts/{caller}")  # the caller's history: an inbound call
        assert ("呼入" if language == "zh" else "Inbound") in collector.inner_text("#contacts .contact-row")
        fits(collector, width)
        _section_shot(collector, "#contacts", f"6-caller-history-{shot}.png")
        with site.wb.engine.connect() as connection:
            inbound = connection.execute(select(contact_attempts.c.direction, contact_attempts.c.outcome).where(
                contact_attempts.c.account_id == caller)).all()
            promised = connection.execute(select(promises_to_pay.c.amount_cents).where(
                promises_to_pay.c.account_id == caller)).scalars().all()
            no_answer = connection.execute(select(contact_attempts.c.outcome).where(
                contact_attempts.c.account_id == after_inbound)).scalars().all()
            plans = connection.execute(select(installment_plans.c.months).where(
                installment_plans.c.account_id == offered_on)).scalars().all()
            approved = connection.execute(select(approval_requests.c.status).where(
                approval_requests.c.approval_id == approval_id)).scalar_one()
        assert [tuple(r) for r in inbound] == [("inbound", "conversation")] and promised == [50000]
        assert after_inbound != offered_on and no_answer == ["no_answer"]
        assert (plans, approved) == ([6], "approved")
    assert refused == []
    # The figures of docs/work-queue.md, the same in every round (width and language change nothing):
    # an inbound call with a promise, search included, 3 clicks and 4 fields typed (the phone, the
    # notes, the amount, the date); a no-answer 4 clicks; a conversation with a plan and a settlement
    # 10 clicks and 4 fields; the approval 2 clicks.
    assert set(counts["promise"]) == {(3, 4)} and set(counts["no_answer"]) == {(4, 0)}
    assert set(counts["offers"]) == {(10, 4)} and set(counts["approval"]) == {(2, 0)}
    assert max(c for c, _ in counts["promise"]) <= GOALS["promise"]
    assert max(c for c, _ in counts["no_answer"]) <= GOALS["no_answer"]
