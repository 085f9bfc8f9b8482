"""Replay (SQLite and PostgreSQL): decisions keep the request they judged, encrypted; replaying a
date range under a pack with one parameter tightened lists exactly the decisions it changes, and
nothing when the packs are the same; through `arrears compliance replay` too."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.contacts_repository import SqlStoredDecisions
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.compliance.packs import GateConfig
from arrears.services.compliance_audit import record_decisions
from arrears.services.compliance_check import answer_value
from arrears.services.compliance_replay import replay

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "compliance"))
from compliance_builders import MOBILE, request

CIPHER = FieldCipher(b"k" * 32, b"h" * 32)
SH = ZoneInfo("Asia/Shanghai")
TIMES = {"R1": "2026-11-30T20:30:00+08:00", "R2": "2026-11-30T21:30:00+08:00", "R3": "2026-11-30T21:59:00+08:00",
         "R4": "2026-11-30T09:00:00+08:00"}
EARLIER_CLOSE = {"CN-TIME-01": {"allowed_until": "21:00:00"}}


def store(engine: Engine) -> None:
    pairs = []
    for request_id, at in TIMES.items():
        raw = {**request(at=at), "id": request_id}
        pairs.append((raw, answer_value(raw)))
    record_decisions(engine, pairs, caller="user:tester", cipher=CIPHER)


def test_the_request_is_kept_encrypted_with_its_decision(engine: Engine) -> None:
    store(engine)
    with engine.connect() as c:
        blobs = c.execute(select(compliance_decisions.c.facts_enc)).scalars().all()
    assert len(blobs) == 4 and all(MOBILE.encode() not in blob for blob in blobs)


def test_tightening_one_parameter_lists_exactly_the_decisions_it_changes(engine: Engine) -> None:
    store(engine)
    decisions = list(SqlStoredDecisions(engine, CIPHER).between(datetime(2026, 11, 30, tzinfo=SH),
                                                                 datetime(2026, 12, 1, tzinfo=SH)))
    same = replay(decisions, GateConfig())
    assert (same.replayed, same.changes) == (4, [])
    tighter = replay(decisions, GateConfig(overrides=EARLIER_CLOSE, label="close-at-21"))
    changed = {c.decided_for.astimezone(SH).strftime("%H:%M"): c for c in tighter.changes}
    assert set(changed) == {"21:30", "21:59"}
    assert all(c.before == "allow" and c.after == "deny" and "CN-TIME-01" in c.after_rules for c in changed.values())
    assert changed["21:30"].packs_after["CN"].endswith("+close-at-21")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    import base64

    from arrears.settings import get_settings

    url = f"sqlite:///{tmp_path / 'arrears.db'}"
    engine = make_engine(url)
    migrate(engine)
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    monkeypatch.setenv("ARREARS_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
    monkeypatch.setenv("ARREARS_LOOKUP_KEY", base64.urlsafe_b64encode(b"h" * 32).decode())
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


def test_arrears_compliance_replay_lists_the_changes_and_writes_them(database: Engine, tmp_path: Path) -> None:
    from arrears.entrypoints.cli.main import app

    store(database)
    overrides = tmp_path / "tighter.yaml"
    overrides.write_text("CN-TIME-01: {allowed_until: '21:00:00'}\n", encoding="utf-8")
    out = tmp_path / "changes.csv"
    result = CliRunner().invoke(app, ["compliance", "replay", "--from", "2026-11-30", "--to", "2026-11-30",
                                      "--overrides", str(overrides), "--pack", "close-at-21", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "replayed 复核 4, changed 变化 2" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and out.read_text(encoding="utf-8-sig").count("\n") == 3
    looser = tmp_path / "looser.yaml"
    looser.write_text("CN-TIME-01: {allowed_until: '23:00:00'}\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["compliance", "replay", "--from", "2026-11-30", "--to", "2026-11-30",
                                       "--overrides", str(looser)])
    assert refused.exit_code == 2


def test_an_examiners_file_holds_every_contact_and_decision_with_its_citation(database: Engine,
                                                                              tmp_path: Path) -> None:
    from pypdf import PdfReader

    from arrears.entrypoints.cli.main import app
    from ingested_rows import ingest_account, ingest_contact_promise

    ingest_account(database, "A1001")
    ingest_contact_promise(database, "K1", "A1001", at=datetime(2026, 11, 30, 10, tzinfo=SH), cents=10_000,
                           on=date(2026, 12, 5))
    pairs = []
    for request_id, at in (("R1", "2026-11-30T09:00:00+08:00"), ("R2", "2026-11-30T22:30:00+08:00")):
        raw = {**request(at=at), "id": request_id}
        pairs.append((raw, answer_value(raw)))
    record_decisions(database, pairs, caller="user:tester", cipher=CIPHER)
    result = CliRunner().invoke(app, ["compliance", "file", "A1001", "--out", str(tmp_path / "file")])
    assert result.exit_code == 0, result.output
    import json

    kept = json.loads((tmp_path / "file" / "examiner-A1001.json").read_text(encoding="utf-8"))
    assert kept["summary"] == {"contacts": 1, "decisions": 2, "denied": 1, "complaints": 0}
    assert kept["rules"]["CN-TIME-01"]["citation"] and kept["decisions"][1]["pack_versions"]["CN"]
    assert MOBILE not in json.dumps(kept)
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "file" / "examiner-A1001.pdf").pages)
    assert "CN-TIME-01" in text and "A1001" in text
    missing = CliRunner().invoke(app, ["compliance", "file", "NOPE", "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2
