"""A property-based fuzz of the /v1 OpenAPI schema (schemathesis): no request, however odd,
gets a server error. Bounded: a few examples per operation, as an admin and as an agency user."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from workbench_support import bearer

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (dev extra)")
from schemathesis.checks import not_a_server_error  # noqa: E402


@pytest.fixture
def fuzz_app(wb):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app) as client:
        app.state.fuzz_headers = {"admin": bearer(client, "admin"), "agency": bearer(client, "agency1")}
    return app


def test_no_request_gets_a_server_error(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", fuzz_app)
    schema = schema.include(path_regex=r"^/v1/(?!compliance/check)")  # the gate's API is fuzzed by its own tests
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def no_server_error(case) -> None:  # type: ignore[no-untyped-def]
            for headers in fuzz_app.state.fuzz_headers.values():
                response = case.call(headers=headers)
                case.validate_response(response, checks=(not_a_server_error,))

        no_server_error()
