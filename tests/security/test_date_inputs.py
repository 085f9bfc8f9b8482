"""Issue 12, break 6 ("56 malformed inputs gave 500"): a date or an instant off the calendar's safe range
(0001-01-01, 9999-12-31, the year 10000, 9999-12-31 west of UTC) in any date field of the arrangements API,
its query parameters, the `arrears arrangement` commands and `arrears token create` is a clear refusal
(422, or exit code 2 naming the option), never a server error or a traceback, and books nothing.

One reader does it everywhere: ``domain.dates`` (the API's ``Day``/``AwareInstant`` types, the pages' form
parsers and the command line's options). Also: the service-token list shows zone-aware instants on SQLite
as on PostgreSQL (``tables.UtcDateTime``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from arrangement_desk import NOW, Desk, open_desk
from arrears.adapters.clock import FixedClock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import arrangements_tables as at
from arrears.adapters.storage.database import make_engine, migrate
from arrears.entrypoints.api.workbench.state import UnconfiguredGate
from arrears.services.workbench import service_tokens
from arrears.services.workbench.context import Workbench
from arrears.settings import get_settings
from ingested_rows import ingest_account

FAR_DAYS = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31", "10000-01-01"]
FAR_INSTANTS = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+08:00", "10000-01-01T00:00:00+00:00",
                "9999-12-31T00:00:00+00:00"]

# Every date field of the arrangements API: (path, body with "?" where the date goes)
DATED_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/v1/arrangements/quote", {"balance": "1200.00", "months": 6, "first_due": "?"}),
    ("/v1/accounts/A1/plans", {"months": 6, "first_due": "?"}),
    ("/v1/accounts/A1/settlements", {"discount": "0.10", "first_due": "?"}),
    ("/v1/accounts/A1/extensions", {"original_due": "?", "new_due": "2026-12-20"}),
    ("/v1/accounts/A1/extensions", {"original_due": "2026-12-15", "new_due": "?"}),
    ("/v1/accounts/A1/promises", {"amount": "100.00", "promised_date": "?", "channel": "call"}),
    ("/v1/accounts/A1/hardship", {"kind": "pause", "start": "?", "end": "2027-01-31", "review_on": "2027-01-15"}),
    ("/v1/accounts/A1/hardship", {"kind": "pause", "start": "2026-12-01", "end": "?", "review_on": "2027-01-15"}),
    ("/v1/accounts/A1/hardship", {"kind": "pause", "start": "2026-12-01", "end": "2027-01-31", "review_on": "?"}),
]
INSTANT_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/v1/accounts/A1/payments", {"payment_id": "P-far", "amount": "10.00", "paid_at": "?"}),
]
DATED_QUERIES = ["/v1/accounts/A1/promise-history?as_of=", "/v1/plans/PL-none?as_of="]
BOOKED = (at.installment_plans, at.settlements, at.extensions, at.promises_to_pay, at.hardship_programmes,
          at.ledger_payments, at.approval_requests)


@pytest.fixture
def desk(engine: Engine, cipher: FieldCipher) -> Desk:
    return open_desk(engine, cipher)


def _filled(body: dict[str, Any], value: str) -> dict[str, Any]:
    return {k: (value if v == "?" else v) for k, v in body.items()}


def _booked(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(connection.execute(select(func.count()).select_from(table)).scalar_one() for table in BOOKED)


def test_a_far_date_in_any_date_field_of_the_arrangements_api_is_a_422_naming_the_field(desk: Desk) -> None:
    answers = []
    for value in FAR_DAYS:
        for path, body in DATED_BODIES:
            reply = desk.post("admin", path, _filled(body, value))
            field = next(k for k, v in body.items() if v == "?")
            answers.append((path, field, value, reply.status_code,
                            [f["field"].rsplit(".", 1)[-1] for f in reply.json()["error"]["fields"]]))
    for value in FAR_INSTANTS:
        for path, body in INSTANT_BODIES:
            reply = desk.post("admin", path, _filled(body, value))
            answers.append((path, "paid_at", value, reply.status_code,
                            [f["field"].rsplit(".", 1)[-1] for f in reply.json()["error"]["fields"]]))
    assert [a for a in answers if a[3] != 422 or a[1] not in a[4]] == []
    assert _booked(desk.engine) == 0


def test_a_payment_time_without_its_offset_is_a_422(desk: Desk) -> None:
    reply = desk.post("admin", "/v1/accounts/A1/payments",
                      {"payment_id": "P-naive", "amount": "10.00", "paid_at": "2026-12-01T10:00:00"})
    assert reply.status_code == 422 and reply.json()["error"]["field"].endswith("paid_at")


def test_a_far_date_as_a_query_parameter_is_a_422(desk: Desk) -> None:
    for path in DATED_QUERIES:
        for value in FAR_DAYS:
            reply = desk.get("admin", path + value)
            assert (path, value, reply.status_code) == (path, value, 422)
            assert reply.json()["error"]["field"] == "query.as_of"


def test_the_ends_of_the_range_are_still_dates(desk: Desk) -> None:
    quote = desk.post("admin", "/v1/arrangements/quote", {"balance": "1200.00", "months": 6, "first_due": "2999-07-31"})
    assert quote.status_code == 200, quote.text
    assert desk.get("admin", "/v1/accounts/A1/promise-history?as_of=1900-01-01").status_code == 200


# ---------------------------------------------------------------- the command line
@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    url = f"sqlite:///{tmp_path / 'arrears.db'}"
    engine = make_engine(url)
    migrate(engine)
    ingest_account(engine, "A1")
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "arrears.key"))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


CLI_DATED: list[tuple[str, list[str]]] = [
    ("--start", ["arrangement", "quote", "--balance", "1200.00", "--months", "6", "--start", "?"]),
    ("--start", ["arrangement", "plan", "agree", "A1", "--months", "6", "--start", "?", "--actor", "u1"]),
    ("--as-of", ["arrangement", "plan", "show", "PL-none", "--as-of", "?"]),
    ("--date", ["arrangement", "promise", "record", "A1", "--amount", "100.00", "--date", "?", "--channel", "call",
                "--actor", "u1"]),
    ("--as-of", ["arrangement", "promise", "history", "A1", "--as-of", "?"]),
    ("--first-due", ["arrangement", "settlement", "offer", "A1", "--discount", "0.10", "--first-due", "?",
                     "--actor", "u1"]),
    ("--original-due", ["arrangement", "extension", "request", "A1", "--original-due", "?", "--new-due",
                        "2026-12-20", "--actor", "u1"]),
    ("--new-due", ["arrangement", "extension", "request", "A1", "--original-due", "2026-12-15", "--new-due", "?",
                   "--actor", "u1"]),
    ("--start", ["arrangement", "hardship", "enrol", "A1", "--kind", "pause", "--start", "?", "--end", "2027-01-31",
                 "--review-on", "2027-01-15", "--actor", "u1"]),
    ("--end", ["arrangement", "hardship", "enrol", "A1", "--kind", "pause", "--start", "2026-12-01", "--end", "?",
               "--review-on", "2027-01-15", "--actor", "u1"]),
    ("--review-on", ["arrangement", "hardship", "enrol", "A1", "--kind", "pause", "--start", "2026-12-01", "--end",
                     "2027-01-31", "--review-on", "?", "--actor", "u1"]),
]
CLI_INSTANT: list[tuple[str, list[str]]] = [
    ("--at", ["arrangement", "payment", "post", "A1", "--payment-id", "P-far", "--amount", "10.00", "--at", "?"]),
    ("--expires-at", ["token", "create", "dialer-far", "--scope", "dialer", "--expires-at", "?"]),
]


def test_a_far_date_on_the_command_line_exits_2_naming_the_option(cli_database: Engine) -> None:
    from arrears.entrypoints.cli.main import app

    runner = CliRunner()
    failures = []
    cases = [(o, a, v) for o, a in CLI_DATED for v in FAR_DAYS] + [(o, a, v) for o, a in CLI_INSTANT
                                                                    for v in FAR_INSTANTS]
    for option, args, value in cases:
        result = runner.invoke(app, [value if a == "?" else a for a in args])
        if result.exit_code != 2 or option not in result.output or "Traceback" in result.output:
            failures.append((args[:3], option, value, result.exit_code, result.output[-200:]))
    assert failures == []
    assert _booked(cli_database) == 0


# ---------------------------------------------------------------- instants read back
def test_the_service_token_list_shows_zone_aware_instants_on_every_database(engine: Engine,
                                                                           cipher: FieldCipher) -> None:
    wb = Workbench(engine=engine, cipher=cipher, gate=UnconfiguredGate(), clock=FixedClock(NOW))
    operator = service_tokens.Actor(operator="test")
    made = service_tokens.issue(wb, operator, "dialer-01", ["dialer"], NOW + timedelta(days=30))
    service_tokens.revoke(wb, operator, made.token_id)
    [row] = service_tokens.list_tokens(wb, operator)
    instants = {k: row[k] for k in ("created_at", "expires_at", "revoked_at")}
    assert all(isinstance(v, datetime) and v.utcoffset() is not None for v in instants.values()), instants
    assert instants["created_at"] == NOW and instants["expires_at"] == NOW + timedelta(days=30)


@pytest.mark.usefixtures("cli_database")
def test_the_token_list_command_prints_instants_with_their_offset() -> None:
    from arrears.entrypoints.cli.main import app

    runner = CliRunner()
    made = runner.invoke(app, ["token", "create", "dialer-01", "--scope", "dialer", "--expires-at",
                               "2099-06-30T00:00+08:00"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["token", "list"])
    header, line = listed.stdout.strip().splitlines()[-2:]
    row = dict(zip(header.split("\t"), line.split("\t"), strict=True))
    for column in ("created_at", "expires_at"):
        assert datetime.fromisoformat(row[column]).utcoffset() is not None, row
    assert datetime.fromisoformat(row["expires_at"]) == datetime.fromisoformat("2099-06-30T00:00+08:00")


def test_an_instant_stored_on_sqlite_keeps_its_moment_whatever_its_offset(sqlite_engine: Engine) -> None:
    from arrears.adapters.storage.workbench_tables import service_tokens as table

    local = datetime.fromisoformat("2026-12-01T10:00:00+08:00")
    with sqlite_engine.begin() as connection:
        connection.execute(table.insert().values(token_id="T1", name="n", scopes="dialer", token_hash="h" * 64,
                                                 created_by="test", created_at=local))
        stored = connection.execute(select(table.c.created_at)).scalar_one()
    assert stored == local and stored.utcoffset() == timedelta(0)
    assert json.dumps(stored.isoformat()).endswith('+00:00"')
