"""`arrears user add USERNAME --role ROLE [--agency ID] [--agent ID] [--name NAME]`: a user from the
server's command line (first setup and scripts). The password is generated, printed once, and must
be changed at the first login; the operator is audited as ``cli:<login name>``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from arrears.domain.access import Role

err = Console(stderr=True, soft_wrap=True, highlight=False)
ROLES = ", ".join(r.value for r in Role)


def register(app: typer.Typer) -> None:
    user = typer.Typer(name="user", help="Users of the workbench 用户.", no_args_is_help=True)

    @user.command("add")
    def add(
        username: Annotated[str, typer.Argument(help="letters, digits, _ and -")],
        role: Annotated[str, typer.Option("--role", help=ROLES)],
        agency: Annotated[str | None, typer.Option("--agency", help="an agency's user: its agency id")] = None,
        agent: Annotated[str | None, typer.Option("--agent", help="the agent id 工号 (training dates)")] = None,
        name: Annotated[str | None, typer.Option("--name", help="the name shown")] = None,
    ) -> None:
        """Add a user and print the generated password once (changed at the first login)."""
        from arrears.entrypoints.cli.token_cli import _operator, _workbench
        from arrears.services.workbench.auth import NewUser
        from arrears.services.workbench.errors import WorkbenchError
        from arrears.services.workbench.users import add_user_by_operator

        try:
            chosen = Role(role)
        except ValueError:
            err.print(f"--role: {role!r} is not one of {ROLES}", style="red", markup=False)
            raise typer.Exit(2) from None
        try:
            password = add_user_by_operator(_workbench(), _operator().operator,
                                            NewUser(username, "", chosen, name, agency, agent))
        except WorkbenchError as error:
            err.print(f"{error.field or 'user'}: {error}", style="red", markup=False)
            raise typer.Exit(2) from None
        typer.echo(f"{username}\t{chosen.value}\t{password}")
        err.print("密码只显示这一次，首次登录时必须修改 / the password is shown once and must be changed at the "
                  "first login", markup=False)

    app.add_typer(user, name="user")
