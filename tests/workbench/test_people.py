"""People through the pages: an administrator adds a user whose generated password is shown once
and must be changed at the first login (pages and API alike), resets and disables users, within
the administrator's scope; every user changes their own password; `arrears user add` for scripts."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner
from workbench_support import AS_OF_NOON, PASSWORD

from arrears.adapters.storage.workbench_tables import access_audit, users
from arrears.domain.access import Role
from arrears.services.workbench.auth import NewUser, create_user
from arrears.services.workbench.context import Workbench

NEW_PASSWORD = "violet-harbour-lantern-42"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Logs in; returns where the login sent the user."""
    page = client.get("/login")
    reply = client.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return reply.headers["location"]


def _logout(client: TestClient) -> None:
    page = client.get("/password")
    client.post("/logout", data={"csrf_token": _csrf(page.text)})
    client.cookies.clear()


def _add(client: TestClient, **fields: str) -> TestClient:
    page = client.get("/people")
    assert page.status_code == 200, page.text
    return client.post("/people", data={"csrf_token": _csrf(page.text), **fields})


def _shown_password(page: str) -> str:
    return re.search(r'id="shown-password">.*?<code>([^<]+)</code>', page).group(1)


def test_a_new_user_must_change_the_generated_password_before_anything_else(client: TestClient, wb: Workbench) -> None:
    _login(client, "admin")
    added = _add(client, username="zhao", role="collector", display_name="赵催收")
    assert added.status_code == 200, added.text
    password = _shown_password(added.text)
    assert client.get("/people").text.count(password) == 0  # shown once, never again
    _logout(client)

    assert _login(client, "zhao", password) == "/password"
    assert client.get("/queue", follow_redirects=False).headers["location"] == "/password"
    token = client.post("/v1/auth/token", json={"username": "zhao", "password": password}).json()["access_token"]
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/queue", headers=api).status_code == 403
    assert client.get("/v1/me", headers=api).status_code == 200

    form = client.get("/password")
    assert "id=\"password-required\"" in form.text
    changed = client.post("/password", data={"csrf_token": _csrf(form.text), "current_password": password,
                                             "new_password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
                          follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"].startswith("/queue")
    assert client.get("/queue").status_code == 200
    with wb.engine.connect() as c:
        assert c.execute(select(users.c.password_change_required).where(users.c.username == "zhao")).scalar() is False
        kinds = [k for (k,) in c.execute(select(access_audit.c.kind).where(
            access_audit.c.kind.in_(["user_created", "password_changed"])))]
    assert sorted(kinds) == ["password_changed", "user_created"]


def test_two_different_new_passwords_are_refused_naming_the_field(client: TestClient) -> None:
    _login(client, "collector")
    form = client.get("/password?lang=en")
    reply = client.post("/password", data={"csrf_token": _csrf(form.text), "current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"})
    assert reply.status_code == 422
    assert "the two new passwords differ" in reply.text


def test_a_reset_ends_the_users_sessions_and_must_be_changed_at_the_next_login(client: TestClient) -> None:
    other = TestClient(client.app)
    _login(other, "collector")
    assert other.get("/queue").status_code == 200
    _login(client, "admin")
    page = client.get("/people")
    reply = client.post("/people/collector", data={"csrf_token": _csrf(page.text), "action": "reset"})
    password = _shown_password(reply.text)
    assert other.get("/queue", follow_redirects=False).headers["location"] == "/login"
    assert _login(other, "collector", password) == "/password"


def test_a_disabled_user_cannot_log_in(client: TestClient) -> None:
    _login(client, "admin")
    page = client.get("/people")
    client.post("/people/collector2", data={"csrf_token": _csrf(page.text), "action": "disable"})
    _logout(client)
    form = client.get("/login")
    reply = client.post("/login", data={"username": "collector2", "password": PASSWORD,
                                        "csrf_token": _csrf(form.text)})
    assert reply.status_code == 401


def test_an_agency_administrator_sees_and_changes_only_the_agencys_users(client: TestClient, wb: Workbench) -> None:
    create_user(wb.engine, NewUser("ag1_admin", PASSWORD, Role.ADMIN, agency_id="AG01"), AS_OF_NOON)
    _login(client, "ag1_admin")
    page = client.get("/people")
    listed = set(re.findall(r'id="person-([^"]+)"', page.text))
    assert {"agency1", "agency1_lead", "ag1_admin"} <= listed and "collector" not in listed and "agency2" not in listed
    refused = client.post("/people/collector", data={"csrf_token": _csrf(page.text), "action": "disable"})
    assert refused.status_code in (403, 404)
    made_admin = _add(client, username="ag1_boss", role="admin", agency_id="AG01")
    assert made_admin.status_code == 403  # an agency's administrator never makes an administrator


def test_a_collector_may_not_administer_people(client: TestClient) -> None:
    _login(client, "collector")
    assert client.get("/people").status_code == 403


@pytest.fixture
def cli_database(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> Workbench:
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", str(wb.engine.url))
    monkeypatch.setenv("ARREARS_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())  # the CIPHER of the fixtures
    monkeypatch.setenv("ARREARS_LOOKUP_KEY", base64.urlsafe_b64encode(b"h" * 32).decode())
    get_settings.cache_clear()
    yield wb
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_database")
def test_arrears_user_add_prints_a_password_that_must_be_changed(client: TestClient) -> None:
    from arrears.entrypoints.cli.main import app

    result = CliRunner().invoke(app, ["user", "add", "qian", "--role", "team_lead", "--name", "钱组长"])
    assert result.exit_code == 0, result.output
    username, role, password = result.stdout.splitlines()[0].split("\t")
    assert (username, role) == ("qian", "team_lead")
    assert _login(client, "qian", password) == "/password"
    bad_role = CliRunner().invoke(app, ["user", "add", "sun", "--role", "boss"])
    assert bad_role.exit_code == 2 and "--role" in bad_role.output
    bad_agency = CliRunner().invoke(app, ["user", "add", "sun", "--role", "collector", "--agency", "NOPE"])
    assert bad_agency.exit_code == 2 and "NOPE" in bad_agency.output


def _agent_training(wb: Workbench, username: str):  # type: ignore[no-untyped-def]
    from arrears.adapters.storage import tables as t

    with wb.engine.connect() as c:
        agent = c.execute(select(users.c.agent_id).where(users.c.username == username)).scalar()
        return agent, c.execute(select(t.agents.c.training_valid_until).where(t.agents.c.agent_id == agent)).scalar()


def test_an_administrator_records_training_and_a_new_file_does_not_undo_it(client: TestClient, wb: Workbench) -> None:
    from datetime import date

    from sqlalchemy import update

    from arrears.adapters.storage import tables as t
    from arrears.adapters.storage.ingest_store import reapply_training

    _login(client, "admin")
    page = client.get("/people")
    reply = client.post("/people/lapsed/training", data={
        "csrf_token": _csrf(page.text), "course": "合规催收 2026", "completed_on": "2026-11-20",
        "valid_until": "2027-11-19"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    agent, until = _agent_training(wb, "lapsed")
    assert until == date(2027, 11, 19)
    with wb.engine.begin() as c:  # the next agents.csv still carries the lapsed date
        c.execute(update(t.agents).where(t.agents.c.agent_id == agent).values(training_valid_until=date(2026, 1, 1)))
        reapply_training(c)
    assert _agent_training(wb, "lapsed")[1] == date(2027, 11, 19)


def test_training_that_ends_before_it_was_completed_is_refused(client: TestClient) -> None:
    _login(client, "admin")
    page = client.get("/people?lang=en")
    reply = client.post("/people/collector/training?lang=en", data={
        "csrf_token": _csrf(page.text), "course": "x", "completed_on": "2026-11-20", "valid_until": "2026-11-01"})
    assert reply.status_code == 422 and "cannot be before" in reply.text
