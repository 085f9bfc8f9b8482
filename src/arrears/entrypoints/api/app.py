"""The FastAPI application (/v1). Routers are added per capability."""

from __future__ import annotations

from fastapi import FastAPI

from arrears import __version__
from arrears.entrypoints.api import arrangements_api, compliance_api
from arrears.entrypoints.api.edge import BodySizeLimit, SecurityHeaders
from arrears.entrypoints.api.strict import StrictJsonRoute


def create_app(max_body_bytes: int | None = None) -> FastAPI:
    """The app; ``max_body_bytes`` defaults to the setting ``ARREARS_MAX_BODY_BYTES`` (1 MiB)."""
    from arrears.settings import get_settings

    app = FastAPI(title="arrears", version=__version__, openapi_url="/v1/openapi.json")
    app.router.route_class = StrictJsonRoute

    @app.get("/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(compliance_api.router)
    app.include_router(arrangements_api.router)
    from arrears.entrypoints.api.workbench import install_workbench

    install_workbench(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes or get_settings().max_body_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: a refusal of the body limit carries the headers too
    return app
