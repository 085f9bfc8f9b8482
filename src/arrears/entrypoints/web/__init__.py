"""The collector's workbench pages (Jinja2 + HTMX, zh by default, en via Babel)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_pages(app: FastAPI) -> None:
    from arrears.entrypoints.web import case_pages
    from arrears.entrypoints.web.pages import router

    app.include_router(router)
    app.include_router(case_pages.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
