"""The API documentation pages (/docs: Swagger UI, /redoc: ReDoc) served with scripts from the
package (static/vendor), not from a CDN: a bank's internal network has no internet."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_VENDOR = "/static/vendor"

_SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}} · API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{_VENDOR}/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{{openapi_url}}"></div>
<script src="{_VENDOR}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{_VENDOR}/swagger-ui/start.js"></script></body></html>"""

_REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}} · API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="{{openapi_url}}"></redoc>
<script src="{_VENDOR}/redoc/redoc.standalone.js"></script></body></html>"""


def install_api_docs(app: FastAPI) -> None:
    """Add /docs and /redoc; the app must be created with ``docs_url=None, redoc_url=None``."""
    values = {"title": app.title, "openapi_url": app.openapi_url or "/v1/openapi.json"}

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(_SWAGGER.format(**values))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC.format(**values))
