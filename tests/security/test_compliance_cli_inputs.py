"""`arrears compliance check` and POST /v1/compliance/check answer every line or request,
malformed ones included (spec compliance-check-v1): `{"id": ... or null, "error": ...}`, and
the command goes on and exits 0."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine


def good(request_id: str = "ok", at: str = "2026-11-30T09:15:00+08:00", **extra: Any) -> dict[str, Any]:
    return {"id": request_id, "packs": ["CN"], "at": at,
            "action": {"channel": "call", "to": {"party": "debtor", "kind": "mobile"}},
            "debtor": {"zones": ["Asia/Shanghai"]}, **extra}


def line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


ALL_PACKS = {"packs": ["US", "US-MA", "US-NYC", "US-WA", "UK", "CN"],
             "debtor": {"zones": ["America/New_York", "Pacific/Kiritimati", "Asia/Shanghai"]}}
MALFORMED: list[tuple[str, bytes]] = [
    ("lone surrogate in the id", b'{"id": "\\ud800", "packs": ["CN"]}'),
    ("lone surrogate in a message", line(good("msg")).replace(b'"call"', b'"call", "message": "\\udc00"')),
    ("surrogate bytes", b'{"id": "\xed\xa0\x80"}'),
    ("not UTF-8", b'{"id": "\xff\xfe"}'),
    ("100,000-deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("100,000-deep object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    ("year 10000", line(good("y10000", at="10000-01-01T00:00:00+08:00"))),
    ("year 9999 west of UTC", line(good("y9999", at="9999-12-31T23:59:59-12:00"))),
    ("year 1 east of UTC", line(good("y1", at="0001-01-01T00:00:00+08:00"))),
    ("year 9999 in every pack", line(good("all9999", at="9999-12-31T20:00:00+00:00", **ALL_PACKS))),
    ("year 1 in every pack", line(good("all1", at="0001-01-01T10:00:00+00:00", **ALL_PACKS))),
    ("a 5,000-digit integer", b'{"id": ' + b"7" * 5000 + b"}"),
    ("a 5,000-digit integer deep inside", line(good("int")).replace(b'"call"', b'"call", "x": ' + b"9" * 5000)),
    ("NaN", b'{"id": NaN}'),
    ("Infinity", line(good("inf")).replace(b'"call"', b'"call", "automated": Infinity')),
    ("1e400", b'{"id": "big", "packs": [1e400]}'),
    ("not an object", b"[1, 2, 3]"),
    ("a string", b'"hello"'),
    ("null", b"null"),
    ("empty", b""),
    ("blank", b"   \t"),
    ("not JSON", b"{oops"),
]


def arrears(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "arrears.entrypoints.cli.main", *args], cwd=cwd,
                          env={**os.environ}, capture_output=True, timeout=300, check=False)


def test_the_cli_answers_every_malformed_line_in_order_and_exits_0(tmp_path: Path) -> None:
    lines = [b"\xef\xbb\xbf" + line(good("first"))]  # a byte-order mark before the first line
    for _, raw in MALFORMED:
        lines += [raw, line(good("after"))]
    lines.append(line(good("crlf")) + b"\r")  # CRLF line end
    lines.append(line(good("u2028", action={"channel": "sms", "to": {"party": "debtor", "kind": "mobile"},
                                            "message": "第一行\u2028第二行\u0085第三行"})))
    source = tmp_path / "requests.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\r\n")
    result = arrears("compliance", "check", str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"Traceback" not in result.stderr
    answers = [json.loads(text) for text in result.stdout.decode("utf-8").split("\n")[:-1]]
    assert len(answers) == len(lines)
    assert answers[0]["id"] == "first" and answers[0]["decision"] == "allow"
    for (name, _), answer, after in zip(MALFORMED, answers[1::2], answers[2::2], strict=False):
        assert set(answer) == {"id", "error"} and answer["error"], name
        assert after["id"] == "after" and "decision" in after, name
    assert answers[-2]["id"] == "crlf" and answers[-2]["decision"] == "allow"
    assert answers[-1]["id"] == "u2028" and "decision" in answers[-1]


def test_each_malformed_line_says_what_is_wrong() -> None:
    from arrears.services.compliance_check import answer_text

    said = {name: answer_text(raw)["error"] for name, raw in MALFORMED}
    assert "surrogate" in said["lone surrogate in the id"] and "UTF-8" in said["not UTF-8"]
    assert "nested too deeply" in said["100,000-deep nesting"]
    assert "outside the years" in said["year 9999 west of UTC"] and "outside the years" in said["year 1 in every pack"]
    assert "digits" in said["a 5,000-digit integer"] and "NaN" in said["NaN"]
    assert said["not an object"] == "a request must be a JSON object, got list"
    assert all("\\ud800" not in message or "escape" in message for message in said.values())


@pytest.fixture
def http(sqlite_engine: Engine) -> TestClient:
    """The API on a fresh database, as a dialer with a compliance:check service token."""
    from arrears.adapters.crypto import FieldCipher
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.deps import get_engine
    from arrears.entrypoints.api.workbench import configure_workbench
    from arrears.entrypoints.api.workbench.state import UnconfiguredGate
    from arrears.services.workbench import service_tokens
    from arrears.services.workbench.context import Workbench

    app = create_app()
    app.dependency_overrides[get_engine] = lambda: sqlite_engine
    wb = Workbench(engine=sqlite_engine, cipher=FieldCipher(b"k" * 32, b"h" * 32), gate=UnconfiguredGate())
    configure_workbench(app, wb)
    made = service_tokens.issue(wb, service_tokens.Actor(operator="test"), "dialer", ["compliance:check"])
    return TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {made.token}"})


BROKE_THE_HTTP_CHECK = {"lone surrogate in the id", "lone surrogate in a message", "surrogate bytes",
                        "100,000-deep nesting", "100,000-deep object", "year 9999 west of UTC", "year 1 east of UTC",
                        "year 9999 in every pack", "year 1 in every pack", "a 5,000-digit integer",
                        "a 5,000-digit integer deep inside"}  # 500s before; the other inputs were answered


@pytest.mark.parametrize("raw", [m[1] for m in MALFORMED if m[0] in BROKE_THE_HTTP_CHECK],
                         ids=[m[0] for m in MALFORMED if m[0] in BROKE_THE_HTTP_CHECK])
def test_the_http_check_answers_each_malformed_request_with_422_id_and_error(http: TestClient, raw: bytes) -> None:
    reply = http.post("/v1/compliance/check", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 422, reply.text
    assert set(reply.json()) == {"id", "error"}


def test_a_batch_with_a_malformed_item_answers_every_item(http: TestClient) -> None:
    items = [good("a"), good("y1", at="0001-01-01T10:00:00+00:00", **ALL_PACKS), good("b")]
    reply = http.post("/v1/compliance/check/batch", json=items)
    assert reply.status_code == 200
    assert [a["id"] for a in reply.json()] == ["a", "y1", "b"] and "error" in reply.json()[1]


# ---------------------------------------------------------------- no line can stop the loop
EDGES = ["9999-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T00:00:00", "0001-01-01T23:59:59"]
extreme_instants = st.sampled_from(EDGES) | st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.isoformat())  # noqa: DTZ001
offsets = st.sampled_from(["-12:00", "+14:00", "Z", "+08:00", "-23:59", "+23:59"])
dates = st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)


@given(at=extreme_instants, offset=offsets, until=dates, evaluation=dates, history_at=extreme_instants,
       packs=st.lists(st.sampled_from(["CN", "US", "US-MA", "US-NYC", "US-WA", "UK"]), min_size=1, unique=True),
       channel=st.sampled_from(["call", "voicemail", "sms", "email", "letter", "visit"]))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_request_with_far_dates_raises_instead_of_answering(
    *, at: str, offset: str, until: str, evaluation: str, history_at: str, packs: list[str], channel: str
) -> None:
    from arrears.services.compliance_check import answer_text

    raw = good("far", at=at + offset, packs=packs, history=[
        {"at": history_at + offset, "channel": "call", "outcome": "no_answer"}])
    raw["action"] = {"channel": channel, "to": {"party": "debtor", "kind": "mobile"},
                     "agent": {"id": "G1", "training_valid_until": until},
                     "agency": {"id": "AG1", "authorized_until": until, "last_evaluation": evaluation},
                     "visitors": [{"id": "V1", "training_valid_until": until}]}
    raw["debtor"] = {"zones": ["America/Los_Angeles", "Asia/Shanghai", "Pacific/Kiritimati"],
                     "flags": {"call_consent_until": at + offset,
                               "consent_windows": [{"from": history_at + offset, "to": at + offset}]}}
    answer = answer_text(line(raw))
    assert answer["id"] == "far" and ("error" in answer or "decision" in answer)
    json.dumps(answer, ensure_ascii=False).encode("utf-8")


def broken_screener(text: str) -> Any:
    """A message screener that fails, repeating the message it was given (with a phone number)."""
    raise RuntimeError(f"screener crashed on {text!r}")


def test_an_unexpected_failure_answers_that_line_and_is_logged_with_personal_data_masked() -> None:
    from arrears.services.compliance_check import answer_text

    raw = good("boom", action={"channel": "sms", "to": {"party": "debtor", "kind": "mobile"},
                               "message": "请致电 13812345678 还款，身份证 110101196201012185"})
    logger = logging.getLogger("arrears.compliance")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        answer = answer_text(line(raw), screener=broken_screener)
    finally:
        logger.removeHandler(handler)
    assert answer["id"] == "boom" and "error" in answer
    logged = " ".join(r.getMessage() for r in records)
    assert "screener crashed" in logged
    assert "13812345678" not in logged and "110101196201012185" not in logged and "*******5678" in logged
