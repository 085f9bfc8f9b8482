"""The collector's workbench pages (Jinja2 + HTMX, zh by default, en via Babel)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_pages(app: FastAPI) -> None:
    from arrears.entrypoints.web import arrangement_pages, case_pages, contact_point_pages, followup_pages, rules_pages
    from arrears.entrypoints.web.audit_pages import router as audit_router
    from arrears.entrypoints.web.dashboard_pages import router as dashboard_router
    from arrears.entrypoints.web.pages import router
    from arrears.entrypoints.web.people_pages import router as people_router
    from arrears.entrypoints.web.placement_pages import router as placement_router
    from arrears.entrypoints.web.portal_pages import install_portal

    app.include_router(router)
    app.include_router(followup_pages.router)
    app.include_router(dashboard_router)
    app.include_router(people_router)
    app.include_router(audit_router)
    app.include_router(placement_router)
    app.include_router(case_pages.router)
    app.include_router(contact_point_pages.router)
    app.include_router(rules_pages.router)
    app.include_router(arrangement_pages.router)
    install_portal(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
