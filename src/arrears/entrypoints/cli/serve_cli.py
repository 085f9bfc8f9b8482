"""`arrears serve` (the workbench and the /v1 API) and `arrears users demo`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def print_demo_users(made: list[tuple[str, str, str]], address: str | None = None) -> None:
    table = Table(title="演示用户 Demo users (密码只显示这一次 passwords are shown once)")
    for column in ("username 用户名", "role 角色", "password 密码"):
        table.add_column(column)
    for username, role, password in made:
        table.add_row(username, role, password)
    console.print(table)
    if address:
        console.print(f"工作台 workbench: {address}  ·  API: {address}/docs")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    ) -> None:
        """Start the collector's workbench and the /v1 API on the configured database."""
        import uvicorn

        from arrears.adapters.crypto import EncryptionKeyError
        from arrears.entrypoints.api.app import create_app
        from arrears.entrypoints.api.workbench.state import workbench_of

        web = create_app()
        try:
            workbench_of(web)  # settings, keys, migrations: fail now, not at the first request
        except (ValueError, EncryptionKeyError) as exc:
            Console(stderr=True).print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        console.print(f"工作台 workbench: http://{host}:{port}/  ·  API: http://{host}:{port}/docs")
        uvicorn.run(web, host=host, port=port, log_level="info")

    @app.command("demo-users")
    def demo_users() -> None:
        """Create (or reset) one demo user per role with fresh random passwords, and print them."""
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.workbench.demo_users import create_demo_users

        print_demo_users(create_demo_users(open_container().engine))
