"""Pages through the test client: login with CSRF, session cookies, language, errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from workbench_support import PASSWORD, account_of_agency

from arrears.services.workbench.context import Workbench


def _login(client: TestClient, username: str = "collector") -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    queue = client.get("/queue")
    return re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)


def test_login_without_the_form_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    reply = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": "forged"})
    assert reply.status_code == 403


def test_a_wrong_password_shows_the_login_page_again_in_chinese(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post("/login", data={"username": "collector", "password": "wrong-one", "csrf_token": token})
    assert reply.status_code == 401 and "用户名或密码错误" in reply.text


def test_a_page_post_without_the_session_csrf_token_is_refused(client: TestClient) -> None:
    _login(client)
    assert client.post("/queue/next", data={"csrf_token": "nope"}).status_code == 403
    assert client.post("/queue/next", data={"csrf_token": ""}, headers={"X-CSRF-Token": "nope"}).status_code == 403


def test_next_account_takes_the_collector_to_the_account_page_with_masked_data(client: TestClient) -> None:
    csrf = _login(client)
    reply = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/accounts/")
    page = client.get(reply.headers["location"])
    assert page.status_code == 200 and "合规状态" in page.text and "记录联系" in page.text


def test_the_htmx_reveal_returns_the_plaintext_fragment(client: TestClient, wb: Workbench) -> None:
    csrf = _login(client)
    account_id = account_of_agency(wb.engine, None)
    reply = client.post(f"/accounts/{account_id}/reveal", headers={"HX-Request": "true", "X-CSRF-Token": csrf},
                        data={"field": "name", "purpose": "核实身份", "csrf_token": ""})
    assert reply.status_code == 200 and "data-revealed" in reply.text and "*" not in reply.text.split("</span>")[0]
    short = client.post(f"/accounts/{account_id}/reveal", headers={"HX-Request": "true"},
                        data={"field": "name", "purpose": "x", "csrf_token": csrf})
    assert "说明查看目的" in short.text


def test_english_on_request_and_chinese_by_default(client: TestClient) -> None:
    _login(client)
    assert "下一个账户" in client.get("/queue").text
    assert "Next account" in client.get("/queue?lang=en").text
    assert "Next account" in client.get("/queue").text  # the choice is remembered
    assert "下一个账户" in client.get("/queue?lang=zh").text


def test_an_unknown_account_page_is_a_404_page(client: TestClient) -> None:
    _login(client)
    reply = client.get("/accounts/NOPE")
    assert reply.status_code == 404 and "找不到账户" in reply.text


def test_a_collector_cannot_open_the_team_page_and_logout_ends_the_session(client: TestClient) -> None:
    csrf = _login(client)
    assert client.get("/team").status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_every_text_on_the_pages_has_a_chinese_translation() -> None:
    from pathlib import Path

    from arrears.entrypoints.web import i18n

    templates = Path(i18n.__file__).with_name("templates")
    wanted = set()
    for template in templates.glob("*.html"):
        wanted |= set(re.findall(r"""_\(["']([^"']+)["']\)""", template.read_text()))
    zh = i18n.translations("zh")
    missing = sorted(w for w in wanted if zh.gettext(w) == w)
    assert not missing


def test_each_role_lands_on_its_own_page_and_only_workers_see_the_queue(client: TestClient) -> None:
    landings = {"collector": "/queue", "lead": "/team", "compliance": "/compliance", "auditor": "/compliance",
                "admin": "/team", "strategist": "/dashboard"}
    workers = {"collector", "lead", "admin"}  # the roles that take work from a queue
    for username, landing in landings.items():
        client.cookies.clear()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                            follow_redirects=False)
        assert reply.headers["location"] == landing, username
        assert client.get("/", follow_redirects=False).headers["location"] == landing, username
        queue = client.get("/queue", follow_redirects=False)
        if username in workers:
            assert queue.status_code == 200 and 'id="next-account"' in queue.text
        else:  # an auditor is never offered a "next account" it may not take
            assert queue.status_code == 303 and queue.headers["location"] == landing, username
            assert 'id="nav-queue"' not in client.get(landing).text, username
