"""The FastAPI application (/v1). Routers are added per capability."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from arrears import __version__
from arrears.entrypoints.api import compliance_api
from arrears.entrypoints.api.api_docs import install_api_docs
from arrears.entrypoints.api.edge import BodySizeLimit, SecurityHeaders
from arrears.entrypoints.api.errors import document_errors, install_error_handlers
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.openapi import install_openapi, operation_id
from arrears.entrypoints.api.routes import arrangements, outreach, payments
from arrears.entrypoints.web.self_service_cases import HARDSHIP_BODY_BYTES

BATCH_BYTES = 32 * 1024 * 1024


def create_app(max_body_bytes: int | None = None) -> FastAPI:
    """The app; ``max_body_bytes`` defaults to the setting ``ARREARS_MAX_BODY_BYTES`` (1 MiB)."""
    from arrears import bootstrap

    app = FastAPI(title="arrears", version=__version__, openapi_url="/v1/openapi.json",
                  docs_url=None, redoc_url=None,
                  generate_unique_id_function=operation_id)
    app.router.route_class = StrictInputRoute

    @app.get("/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(compliance_api.router)
    app.include_router(arrangements.router)
    app.include_router(arrangements.approvals_router)
    app.include_router(outreach.router)
    app.include_router(payments.router)
    app.include_router(outreach.email_router)
    from arrears.entrypoints.api.workbench import install_workbench

    install_workbench(app)
    install_openapi(app)
    install_api_docs(app)
    install_error_handlers(app)
    _document_errors(app)
    limit = max_body_bytes or bootstrap.settings().max_body_bytes
    # a batch of up to 1,000 checks, each with its history, is larger than one request
    app.add_middleware(BodySizeLimit, max_bytes=limit, limits={"/v1/compliance/check/batch": max(limit, BATCH_BYTES)},
                       span_limits={("/p/", "/hardship"): max(limit, HARDSHIP_BODY_BYTES)})  # 3 files of 5 MB
    app.add_middleware(SecurityHeaders)  # outermost: a refusal of the body limit carries the headers too
    return app


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI names one error envelope for every /v1 error answer."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
