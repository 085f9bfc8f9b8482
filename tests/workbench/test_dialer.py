"""The call channel: a dialer with a service token of scope ``dialer`` gets the next number a
collector may call now, already reserved by the real contact gate, and reports ringing,
answered, no answer, busy or failed; a preview list per collector from the command line."""

from __future__ import annotations

import base64
import csv
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner
from workbench_support import SHANGHAI, bearer

from arrears.adapters.storage.dialer_tables import dialer_events
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.workbench_tables import access_audit, users, work_items
from arrears.services.contact_gate import SqlContactGate
from arrears.services.workbench.context import Workbench


@pytest.fixture
def real(wb: Workbench) -> Workbench:
    return replace(wb, gate=SqlContactGate(wb.engine))


@pytest.fixture
def api(real: Workbench) -> Iterator[TestClient]:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, real)
    with TestClient(app) as test_client:
        yield test_client


def token(client: TestClient, *scopes: str, name: str = "dialer-01") -> dict[str, str]:
    made = client.post("/v1/service-tokens", json={"name": name, "scopes": list(scopes)},
                       headers=bearer(client, "admin"))
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def agent_of(wb: Workbench, username: str) -> str:
    with wb.engine.connect() as connection:
        return connection.execute(select(users.c.agent_id).where(users.c.username == username)).scalar_one()


def next_call(client: TestClient, headers: dict[str, str], agent_id: str) -> Any:
    return client.post("/v1/dialer/next", json={"agent_id": agent_id}, headers=headers)


def test_the_dialer_gets_a_number_already_reserved_by_the_gate(api: TestClient, real: Workbench) -> None:
    headers, agent = token(api, "dialer"), agent_of(real, "collector")
    reply = next_call(api, headers, agent)
    assert reply.status_code == 200, reply.text
    call = reply.json()["call"]
    with real.engine.connect() as connection:
        attempt = connection.execute(select(contact_attempts).where(
            contact_attempts.c.attempt_id == call["attempt_id"])).mappings().one()
        held = connection.execute(select(work_items.c.assigned_to, work_items.c.status).where(
            work_items.c.account_id == call["account_id"])).one()
        audited = connection.execute(select(access_audit.c.kind, access_audit.c.purpose).where(
            access_audit.c.account_id == call["account_id"], access_audit.c.kind == "reveal")).all()
        point = connection.execute(select(dialer_events.c.event, dialer_events.c.contact_point_id).where(
            dialer_events.c.attempt_id == call["attempt_id"])).one()
    assert (attempt["channel"], attempt["agent_id"], attempt["outcome"]) == ("call", agent, None)
    assert attempt["contact_point_id"] == call["contact_point_id"] == point.contact_point_id
    assert point.event == "reserved" and held.status == "assigned"
    assert ("reveal", "dialer call") in audited
    assert call["number"] != call["number_masked"] and "*" in call["number_masked"]
    assert call["number"][-2:] == call["number_masked"][-2:]


def test_two_collectors_dialing_at_once_never_get_the_same_account(api: TestClient, real: Workbench) -> None:
    headers = token(api, "dialer")
    first = next_call(api, headers, agent_of(real, "collector")).json()["call"]
    second = next_call(api, headers, agent_of(real, "collector2")).json()["call"]
    assert first["account_id"] != second["account_id"]


def test_the_dialer_needs_a_live_token_with_the_dialer_scope(api: TestClient, real: Workbench) -> None:
    agent = agent_of(real, "collector")
    assert api.post("/v1/dialer/next", json={"agent_id": agent}).status_code == 401
    assert next_call(api, token(api, "compliance:check", name="other"), agent).status_code == 403
    assert next_call(api, bearer(api, "collector"), agent).status_code == 401  # a person's token is not a system's


def test_an_unknown_collector_is_404(api: TestClient) -> None:
    reply = next_call(api, token(api, "dialer"), "NOBODY")
    assert reply.status_code == 404 and reply.json()["error"]["field"] == "agent_id"


def test_in_the_quiet_hours_nothing_is_handed_out_and_the_gate_says_why(api: TestClient, real: Workbench,
                                                                        clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 11, 29, 22, 30, tzinfo=SHANGHAI))
    reply = next_call(api, token(api, "dialer"), agent_of(real, "collector"))
    assert reply.status_code == 409, reply.text
    assert reply.json()["error"]["decision"] == "deny" and reply.json()["error"]["rules"]
    with real.engine.connect() as connection:
        assert connection.execute(select(contact_attempts)).first() is None
        assert connection.execute(select(work_items).where(work_items.c.status == "assigned")).first() is None


def test_events_are_recorded_and_an_ending_event_closes_the_attempt(api: TestClient, real: Workbench) -> None:
    headers = token(api, "dialer")
    call = next_call(api, headers, agent_of(real, "collector")).json()["call"]

    def event(name: str, **extra: Any) -> Any:
        return api.post("/v1/dialer/events", json={"attempt_id": call["attempt_id"], "event": name, **extra},
                        headers=headers)

    ringing = event("ringing")
    assert (ringing.status_code, ringing.json()["outcome"]) == (201, None)
    answered = event("answered")
    assert (answered.status_code, answered.json()["outcome"]) == (201, "conversation")
    assert event("busy").status_code == 409  # it already ended
    with real.engine.connect() as connection:
        outcome = connection.execute(select(contact_attempts.c.outcome, contact_attempts.c.outcome_party).where(
            contact_attempts.c.attempt_id == call["attempt_id"])).one()
        events = connection.execute(select(dialer_events.c.event).where(
            dialer_events.c.attempt_id == call["attempt_id"]).order_by(dialer_events.c.event_id)).scalars().all()
    assert tuple(outcome) == ("conversation", "debtor")
    assert events == ["reserved", "ringing", "answered"]


@pytest.mark.parametrize(("name", "outcome"), [("no_answer", "no_answer"), ("busy", "busy"), ("failed", "failed")])
def test_an_unanswered_call_ends_with_the_matching_outcome(api: TestClient, real: Workbench, name: str,
                                                           outcome: str) -> None:
    headers = token(api, "dialer")
    call = next_call(api, headers, agent_of(real, "collector")).json()["call"]
    reply = api.post("/v1/dialer/events", json={"attempt_id": call["attempt_id"], "event": name}, headers=headers)
    assert (reply.status_code, reply.json()["outcome"]) == (201, outcome)
    with real.engine.connect() as connection:
        assert connection.execute(select(contact_attempts.c.outcome).where(
            contact_attempts.c.attempt_id == call["attempt_id"])).scalar_one() == outcome


def test_an_event_for_a_call_never_handed_out_is_404_and_a_strange_event_422(api: TestClient) -> None:
    headers = token(api, "dialer")
    assert api.post("/v1/dialer/events", json={"attempt_id": "nope", "event": "ringing"},
                    headers=headers).status_code == 404
    assert api.post("/v1/dialer/events", json={"attempt_id": "nope", "event": "exploded"},
                    headers=headers).status_code == 422


def test_the_preview_list_is_a_csv_with_a_bom_and_masked_numbers(
        real: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.entrypoints.cli.main import app
    from arrears.settings import get_settings

    key = {"ARREARS_DATA_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
           "ARREARS_LOOKUP_KEY": base64.urlsafe_b64encode(b"h" * 32).decode()}
    monkeypatch.setenv("ARREARS_DATABASE_URL", str(real.engine.url))
    for name, value in key.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        out = tmp_path / "list.csv"
        result = CliRunner().invoke(app, ["dialer", "list", "--agent", agent_of(real, "collector"),
                                          "--out", str(out), "--limit", "20"])
        assert result.exit_code == 0, result.output
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
        assert 0 < len(rows) <= 20 and [r["position"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
        assert all("*" in r["number_masked"] for r in rows if r["number_masked"])
        assert {r["call_now"] for r in rows} <= {"allow", "deny", "review"}
        unknown = CliRunner().invoke(app, ["dialer", "list", "--agent", "NOBODY", "--out", str(out)])
        assert unknown.exit_code == 2 and "NOBODY" in unknown.output
    finally:
        get_settings.cache_clear()
