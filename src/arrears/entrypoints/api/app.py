"""The FastAPI application (/v1). Routers are added per capability."""

from __future__ import annotations

from fastapi import FastAPI

from arrears import __version__
from arrears.entrypoints.api import compliance_api
from arrears.entrypoints.api.edge import BodySizeLimit, SecurityHeaders
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.routes import arrangements, outreach

BATCH_BYTES = 32 * 1024 * 1024


def create_app(max_body_bytes: int | None = None) -> FastAPI:
    """The app; ``max_body_bytes`` defaults to the setting ``ARREARS_MAX_BODY_BYTES`` (1 MiB)."""
    from arrears import bootstrap

    app = FastAPI(title="arrears", version=__version__, openapi_url="/v1/openapi.json")
    app.router.route_class = StrictInputRoute

    @app.get("/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(compliance_api.router)
    app.include_router(arrangements.router)
    app.include_router(arrangements.approvals_router)
    app.include_router(outreach.router)
    from arrears.entrypoints.api.workbench import install_workbench

    install_workbench(app)
    limit = max_body_bytes or bootstrap.settings().max_body_bytes
    # a batch of up to 1,000 checks, each with its history, is larger than one request
    app.add_middleware(BodySizeLimit, max_bytes=limit, limits={"/v1/compliance/check/batch": max(limit, BATCH_BYTES)})
    app.add_middleware(SecurityHeaders)  # outermost: a refusal of the body limit carries the headers too
    return app
