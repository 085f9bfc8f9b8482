"""The workbench on the API app: /v1 routers, the pages, static files."""

from __future__ import annotations

from fastapi import FastAPI

from arrears.entrypoints.api.workbench.state import configure_workbench


def install_workbench(app: FastAPI) -> None:
    from arrears.entrypoints.api.workbench import (
        account_routes,
        auth_routes,
        case_routes,
        dialer_routes,
        oversight_routes,
        service_token_routes,
        work_routes,
    )
    from arrears.entrypoints.web import install_pages

    for module in (auth_routes, account_routes, work_routes, oversight_routes, service_token_routes,
                   dialer_routes, case_routes):
        app.include_router(module.router)
    install_pages(app)


__all__ = ["configure_workbench", "install_workbench"]
