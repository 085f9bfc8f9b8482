"""The collector's workbench pages (Jinja2 + HTMX, zh by default, en via Babel)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_pages(app: FastAPI) -> None:
    from arrears.entrypoints.web.pages import router
    from arrears.entrypoints.web.portal_pages import install_portal

    app.include_router(router)
    install_portal(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
