"""`arrears portal link | revoke`: links to the customer's own page (self-service-v1).

``link`` prints one URL on stdout and nothing else (errors go to stderr, exit 2 for a bad
duration, 4 for an unknown account). The operator is audited as ``cli:<login name>``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from arrears.entrypoints.cli.os_user import cli_operator

err = Console(stderr=True)


def _portal():  # type: ignore[no-untyped-def]
    from arrears import bootstrap
    from arrears.entrypoints.cli.container import open_container

    return bootstrap.portal(open_container())


def link(
    account_id: Annotated[str, typer.Argument(help="账户 account id")],
    ttl: Annotated[str, typer.Option("--ttl", help="有效期 how long the link works: 72h, 30m, 10s")] = "72h",
) -> None:
    """Make a link to the account's own page and print its URL. 生成自助还款页面链接。"""
    from arrears.domain.portal import PortalInputError, parse_duration
    from arrears.services.portal.links import create_link
    from arrears.services.workbench.errors import NotFound

    try:
        duration = parse_duration(ttl)
    except PortalInputError as error:
        err.print(f"--ttl: {error.zh} / {error.en}", markup=False)
        raise typer.Exit(2) from None
    try:
        url = create_link(_portal(), account_id, ttl=duration, created_by=cli_operator())
    except NotFound as error:
        err.print(f"{error}", markup=False)
        raise typer.Exit(4) from None
    typer.echo(url)


def revoke(link_or_token: Annotated[str, typer.Argument(help="the URL, token or link id")]) -> None:
    """Revoke a link at once: it then answers 404. 吊销链接。"""
    from arrears.services.portal.links import revoke_link

    if not revoke_link(_portal(), link_or_token, actor=cli_operator()):
        err.print("没有可吊销的链接 / no such active link", markup=False)
        raise typer.Exit(4)
    err.print("已吊销 / revoked", markup=False)


def register(app: typer.Typer) -> None:
    portal = typer.Typer(name="portal", help="The customer's own page: links. 自助还款页面。", no_args_is_help=True)
    portal.command("link")(link)
    portal.command("revoke")(revoke)
    app.add_typer(portal, name="portal")
