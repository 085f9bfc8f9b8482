"""One error envelope for every /v1 error: validation, authentication, the workbench's refusals,
unknown routes and server errors answer {"error": {code, message, message_zh, message_en, field,
fields, ...}}, the message in the caller's language; the OpenAPI names it once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from workbench_support import bearer

from arrears.entrypoints.api.errors import ErrorEnvelope
from arrears.services.workbench.context import Workbench

KEYS = {"code", "message", "message_zh", "message_en", "field", "fields"}


def _error(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    ErrorEnvelope.model_validate(reply.json())
    error = reply.json()["error"]
    assert set(error) >= KEYS and error["code"] == code
    return error


def test_every_kind_of_v1_error_answers_the_same_envelope(client: TestClient) -> None:
    no_token = _error(client.get("/v1/me"), 401, "Unauthorised")
    assert no_token["message"] == no_token["message_zh"] and no_token["message_en"]
    assert client.get("/v1/me").headers["www-authenticate"] == "Bearer"
    wrong = _error(client.post("/v1/auth/token", json={"username": "admin", "password": "wrong-password-1"}), 401,
                   "LoginRefused")
    assert wrong["message_zh"] == "用户名或密码错误，或账户已被暂时锁定"
    _error(client.get("/v1/no-such-thing", headers=bearer(client, "admin")), 404, "NotFound")
    invalid = _error(client.post("/v1/users", json={"username": "x1", "password": 7, "role": "root"},
                                 headers=bearer(client, "admin")), 422, "InvalidRequest")
    assert invalid["field"] == "body.password"
    assert [(f["field"], f["type"]) for f in invalid["fields"]] == [("body.password", "string_type"),
                                                                     ("body.role", "enum")]
    assert "root" not in str(invalid)  # where and what, never the value sent


@pytest.mark.parametrize(("asked", "header", "language"), [
    ("en", None, "en"), ("zh", "en-GB,en", "zh"), (None, "en-US,en;q=0.9", "en"), (None, None, "zh"),
])
def test_the_message_is_in_the_callers_language(
    client: TestClient, asked: str | None, header: str | None, language: str
) -> None:
    params = {"lang": asked} if asked else {}
    headers = {"Accept-Language": header} if header else {}
    error = _error(client.get("/v1/me", params=params, headers=headers), 401, "Unauthorised")
    assert error["message"] == error[f"message_{language}"]


def test_a_server_error_on_v1_is_the_envelope_too(wb: Workbench) -> None:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)

    @app.get("/v1/broken-on-purpose")
    def broken() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        error = _error(client.get("/v1/broken-on-purpose"), 500, "InternalError")
    assert "secret internals" not in str(error)


def test_the_openapi_names_one_envelope_for_every_v1_error_but_the_compliance_checks_own(client: TestClient) -> None:
    schema = client.get("/v1/openapi.json").json()
    assert "ErrorEnvelope" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    errors = {(path, method, status): response.get("content", {}).get("application/json", {}).get("schema")
              for path, operations in schema["paths"].items() for method, operation in operations.items()
              for status, response in operation["responses"].items() if status[0] in "45"}
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert len(errors) >= 30
    assert {where: found for where, found in errors.items()
            if found != envelope and not (where[0].startswith("/v1/compliance/check") and where[2] in ("413", "422"))
            } == {}
