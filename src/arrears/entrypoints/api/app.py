"""The FastAPI application (/v1). Routers are added per capability."""

from __future__ import annotations

from fastapi import FastAPI

from arrears import __version__
from arrears.entrypoints.api import compliance_api
from arrears.entrypoints.api.routes import arrangements


def create_app() -> FastAPI:
    app = FastAPI(title="arrears", version=__version__, openapi_url="/v1/openapi.json")

    @app.get("/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(compliance_api.router)
    app.include_router(arrangements.router)
    app.include_router(arrangements.approvals_router)
    from arrears.entrypoints.api.workbench import install_workbench

    install_workbench(app)
    return app
