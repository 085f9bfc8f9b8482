"""The rule book page: every rule of every pack with its meaning, citation, confidence and
parameters, in Chinese and English; rule ids on the compliance page link to it; decisions that
answered review and allowed warnings have their own list."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert
from workbench_support import PASSWORD

from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.compliance.packs import PACK_ORDER, load_pack
from arrears.services.workbench.context import Workbench


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    assert done.status_code in (200, 303)


def test_the_rule_book_lists_every_rule_of_every_pack_with_its_citation_and_parameters(client: TestClient) -> None:
    _login(client, "collector")
    page = client.get("/rules")
    assert page.status_code == 200
    for code in PACK_ORDER:
        pack = load_pack(code)
        assert pack.version in page.text
        for spec in pack.rules:
            assert f'id="rule-{spec.id}"' in page.text
    time_rule = load_pack("CN").rule("CN-TIME-01")
    assert time_rule.meaning_zh in page.text and "allowed_until" in page.text and "只能调低" in page.text
    english = client.get("/rules?lang=en&pack=US")
    assert html.unescape(english.text).count(load_pack("US").rules[0].meaning_en) == 1
    assert 'id="rule-CN-TIME-01"' not in english.text
    assert "only lower" in english.text or "only higher" in english.text


def test_review_decisions_and_warnings_have_their_own_list_with_links_to_the_rule_book(client: TestClient,
                                                                                      wb: Workbench) -> None:
    with wb.engine.begin() as connection:
        for decision, rules, warnings in (("review", ["US-ESMS-01"], []),
                                          ("allow", [], ["CN-FREQ-02: 今日已联系两次"]),
                                          ("deny", ["CN-TIME-01"], [])):
            connection.execute(insert(compliance_decisions).values(
                decided_for=datetime(2026, 11, 29, 3, tzinfo=UTC), mode="check", request_digest="d" * 64,
                pack_versions="{}", decision=decision, rules=json.dumps(rules),
                reasons=json.dumps(["原因"] * len(rules)),
                warnings=json.dumps(warnings, ensure_ascii=False)))
    _login(client, "compliance")
    page = client.get("/compliance")
    assert page.status_code == 200
    reviews = page.text.split('id="reviews"')[1].split("</section>")[0]
    assert reviews.count('class="review-row"') == 2
    assert 'href="/rules#rule-US-ESMS-01"' in reviews and 'href="/rules#rule-CN-FREQ-02"' in reviews
    assert "CN-TIME-01" not in reviews and "今日已联系两次" in reviews


def test_a_rule_id_on_the_account_page_links_to_the_rule_book_and_an_unknown_one_does_not(client: TestClient,
                                                                                          wb: Workbench,
                                                                                          clock) -> None:  # type: ignore[no-untyped-def]
    from workbench_support import QUIET, account_of_agency

    from arrears.entrypoints.web.pages import rule_href

    assert rule_href("CN-TIME-01") == "/rules#rule-CN-TIME-01" and rule_href(QUIET) is None
    clock.set(datetime(2026, 11, 29, 22, 30, tzinfo=UTC).replace(hour=14))  # 22:30 in Shanghai: quiet hours
    _login(client, "collector")
    page = client.get(f"/accounts/{account_of_agency(wb.engine, None)}")
    assert page.status_code == 200
    assert QUIET in page.text and f'href="/rules#rule-{QUIET}"' not in page.text  # the fake gate's id is no rule
