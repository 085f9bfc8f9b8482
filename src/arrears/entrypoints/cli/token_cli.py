"""`arrears token create | list | revoke`: service tokens for systems, from the server's command line
(first setup and scripts). The same use cases as /v1/service-tokens; the operator is audited as
``cli:<login name>``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from arrears.domain import dates
from arrears.domain.access import ServiceScope
from arrears.entrypoints.cli.os_user import os_user

console = Console()
SCOPES = ", ".join(s.value for s in ServiceScope)


def _workbench():  # type: ignore[no-untyped-def]
    from arrears.entrypoints.api.workbench.state import UnconfiguredGate
    from arrears.entrypoints.cli.container import open_container
    from arrears.services.workbench.context import Workbench

    container = open_container()
    return Workbench(engine=container.engine, cipher=container.cipher, gate=UnconfiguredGate(),
                     timezone=container.settings.timezone)


def _operator():  # type: ignore[no-untyped-def]
    from arrears.services.workbench.service_tokens import Actor

    return Actor(operator=os_user()[:50])


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[red]{error}[/]")
    return typer.Exit(2)


def register(app: typer.Typer) -> None:
    token = typer.Typer(name="token", help="Service tokens for systems (dialer, gateway).", no_args_is_help=True)

    @token.command("create")
    def create(
        name: Annotated[str, typer.Argument(help="the system, e.g. dialer-01")],
        scope: Annotated[list[str], typer.Option("--scope", help=f"repeat for each: {SCOPES}")],
        expires_at: Annotated[str | None, typer.Option(help="ISO instant with offset, e.g. 2027-06-30T00:00+08:00")]
        = None,
    ) -> None:
        """Issue a token and print it once (only its SHA-256 is kept)."""
        from arrears.services.workbench import service_tokens
        from arrears.services.workbench.errors import WorkbenchError

        try:
            expiry = dates.instant_of(expires_at, "--expires-at", "--expires-at") if expires_at else None
            made = service_tokens.issue(_workbench(), _operator(), name, scope, expiry)
        except (ValueError, WorkbenchError) as error:
            raise _fail(error) from None
        console.print(f"id {made.token_id}  name {made.name}  scopes {' '.join(made.scopes)}")
        console.print("令牌只显示这一次 the token is shown once:")
        typer.echo(made.token)

    @token.command("list")
    def list_tokens() -> None:
        """Every token, one a line, tab-separated (never the token itself)."""
        from arrears.services.workbench import service_tokens

        columns = ("token_id", "name", "scopes", "created_by", "created_at", "expires_at", "revoked_at",
                   "last_used_at")
        typer.echo("\t".join(columns))
        for row in service_tokens.list_tokens(_workbench(), _operator()):
            values = {**row, "scopes": ",".join(row["scopes"])}
            typer.echo("\t".join("-" if values[c] is None else str(values[c]) for c in columns))

    @token.command("revoke")
    def revoke(token_id: Annotated[str, typer.Argument(help="the id from 'arrears token list'")]) -> None:
        """Revoke a token at once."""
        from arrears.services.workbench import service_tokens
        from arrears.services.workbench.errors import WorkbenchError

        try:
            service_tokens.revoke(_workbench(), _operator(), token_id)
        except WorkbenchError as error:
            raise _fail(error) from None
        console.print(f"revoked 已吊销 {token_id}")

    app.add_typer(token, name="token")
