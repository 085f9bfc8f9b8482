"""The CLI and the HTTP API around the compliance gate (requests without messages, so the
message screener is not needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.entrypoints.api.app import create_app
from arrears.entrypoints.api.deps import get_engine
from arrears.entrypoints.api.workbench import configure_workbench
from arrears.entrypoints.api.workbench.state import UnconfiguredGate
from arrears.entrypoints.cli.main import app as cli
from arrears.services.workbench import service_tokens
from arrears.services.workbench.context import Workbench


def good(request_id: str = "ok-1", at: str = "2026-11-30T09:15:00+08:00") -> dict:
    return {
        "id": request_id,
        "packs": ["CN"],
        "at": at,
        "action": {"channel": "call", "to": {"party": "debtor", "kind": "mobile"}},
        "debtor": {"zones": ["Asia/Shanghai"]},
    }


# ---------------------------------------------------------------- CLI
@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):
    """The check audits its decisions in the configured database: here one of the test's own (the
    default is var/arrears.db under the working directory, the checkout's)."""
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'own.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "own.key"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_cli_writes_one_answer_per_line_in_order_errors_included(tmp_path):
    no_offset = good("bad-at", at="2026-11-30T09:15:00")
    lines = [
        json.dumps(good()),
        "{not json",
        json.dumps(no_offset),
        json.dumps(good("late", at="2026-11-30T22:00:00+08:00")),
    ]
    source = tmp_path / "requests.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compliance", "check", str(source)])
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["ok-1", None, "bad-at", "late"]
    assert answers[0]["decision"] == "allow"
    assert answers[1]["error"].startswith("invalid JSON")
    assert answers[2]["error"].startswith("at: ")
    assert answers[3]["rules"] == ["CN-TIME-01"]
    assert "禁止催收时段" in answers[3]["reasons"][0]


def test_the_cli_answers_a_missing_required_field_with_an_error_line(tmp_path):
    raw = good()
    del raw["debtor"]["zones"]
    source = tmp_path / "r.jsonl"
    source.write_text(json.dumps(raw), encoding="utf-8")
    result = CliRunner().invoke(cli, ["compliance", "check", str(source)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": "ok-1",
        "error": "debtor.zones: required field is missing",
    }


def test_the_cli_fails_only_when_the_file_cannot_be_read(tmp_path):
    result = CliRunner().invoke(cli, ["compliance", "check", str(tmp_path / "missing.jsonl")])
    assert result.exit_code != 0
    assert result.stdout == ""


# ---------------------------------------------------------------- API
@pytest.fixture
def client(sqlite_engine, cipher) -> TestClient:
    """The API on a fresh database, as a dialer with a compliance:check service token."""
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: sqlite_engine
    wb = Workbench(engine=sqlite_engine, cipher=cipher, gate=UnconfiguredGate())
    configure_workbench(app, wb)
    made = service_tokens.issue(wb, service_tokens.Actor(operator="test"), "dialer", ["compliance:check"])
    test_client = TestClient(app, headers={"Authorization": f"Bearer {made.token}"})
    test_client.engine = sqlite_engine  # type: ignore[attr-defined]
    return test_client


def audited(client) -> list[tuple[str, str, str]]:
    with client.engine.connect() as connection:
        rows = connection.execute(
            select(compliance_decisions.c.request_id, compliance_decisions.c.decision,
                   compliance_decisions.c.rules).order_by(compliance_decisions.c.decision_id)
        ).all()
    return [tuple(r) for r in rows]


def test_every_api_decision_is_appended_to_the_audit_table_and_errors_are_not(client):
    client.post("/v1/compliance/check", json=good("one", at="2026-11-30T22:30:00+08:00"))
    client.post("/v1/compliance/check/batch", json=[good("two"), {"id": "broken"}])
    assert audited(client) == [("one", "deny", '["CN-TIME-01"]'), ("two", "allow", "[]")]


def test_the_api_answers_one_request(client):
    response = client.post("/v1/compliance/check", json=good(at="2026-11-30T22:30:00+08:00"))
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "deny"
    assert body["reasons"] == ["北京时间 22:30 在 22:00 至次日 08:00 的禁止催收时段内"]
    assert body["pack_versions"] == {"CN": "CN-2026.11"}


def test_the_api_answers_an_invalid_request_with_422_and_exactly_id_and_error(client):
    raw = good()
    raw["packs"] = ["MARS"]
    response = client.post("/v1/compliance/check", json=raw)
    assert response.status_code == 422
    assert set(response.json()) == {"id", "error"}
    assert response.json()["id"] == "ok-1"
    broken = client.post(
        "/v1/compliance/check", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["id"] is None


def test_the_api_batch_answers_each_item_in_order_with_errors_per_item(client):
    bad = good("b")
    bad["action"]["channel"] = "pigeon"
    response = client.post("/v1/compliance/check/batch", json=[good("a"), bad, 7])
    assert response.status_code == 200
    answers = response.json()
    assert answers[0]["decision"] == "allow"
    assert answers[1]["id"] == "b" and "action.channel" in answers[1]["error"]
    assert answers[2] == {"id": None, "error": "a request must be a JSON object, got int"}


def test_the_api_batch_refuses_a_body_that_is_not_a_list(client):
    response = client.post("/v1/compliance/check/batch", json=good())
    assert response.status_code == 422
    assert response.json() == {"id": None, "error": "a batch must be a JSON list, got dict"}


SPEC = Path("/work/shared/spec/compliance-check-v1.md")


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not on this machine")
def test_the_example_request_of_the_spec_is_allowed(client):
    text = SPEC.read_text(encoding="utf-8")
    example = re.search(r"## Request\n```json\n(.*?)```", text, re.S)
    assert example is not None
    response = client.post("/v1/compliance/check", content=example.group(1).encode())
    assert response.status_code == 200
    assert response.json()["decision"] == "allow"
    assert response.json()["id"] == "any string, echoed back"


def test_the_cli_stores_each_decision_with_the_caller_and_not_the_error_lines(tmp_path, monkeypatch):
    from sqlalchemy import select

    from arrears.adapters.storage.database import make_engine
    from arrears.adapters.storage.gate_tables import compliance_decisions
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'audit.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "audit.key"))
    get_settings.cache_clear()
    source = tmp_path / "requests.jsonl"
    late = json.dumps(good("late", at="2026-11-30T22:00:00+08:00"))
    source.write_text("\n".join([json.dumps(good()), "{not json", late]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compliance", "check", str(source), "--caller", "examiner:zhang"])
    get_settings.cache_clear()
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok-1", None, "late"]
    assert "audited 2 decisions as examiner:zhang" in result.stderr
    d = compliance_decisions.c
    with make_engine(f"sqlite:///{tmp_path / 'audit.db'}").connect() as connection:
        rows = connection.execute(select(d.request_id, d.decision, d.caller, d.mode, d.facts_enc)).all()
    assert [(r.request_id, r.decision, r.caller, r.mode) for r in rows] == [
        ("ok-1", "allow", "examiner:zhang", "check"), ("late", "deny", "examiner:zhang", "check")]
    assert all(r.facts_enc for r in rows)  # the facts kept (encrypted) for replay, as the HTTP check does


def test_the_cli_answers_every_line_even_when_the_audit_database_cannot_be_opened(tmp_path, monkeypatch):
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    get_settings.cache_clear()
    source = tmp_path / "requests.jsonl"
    source.write_text(json.dumps(good()) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compliance", "check", str(source)])
    get_settings.cache_clear()
    assert result.exit_code == 0
    assert json.loads(result.stdout)["decision"] == "allow"
    assert "decisions not audited" in result.stderr
