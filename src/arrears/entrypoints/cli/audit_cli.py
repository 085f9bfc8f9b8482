"""`arrears audit seal` (link the logs' new rows into their hash chains) and `arrears audit verify`
(prove every chain unbroken, or name the first bad row: exit 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    audit = typer.Typer(name="audit", help="The audit logs as hash chains 审计哈希链.", no_args_is_help=True)

    @audit.command("seal")
    def seal(
        settle_minutes: Annotated[float, typer.Option("--settle-minutes", min=0,
                                                      help="leave rows younger than this for the next run")] = 5,
    ) -> None:
        """Link every settled, unsealed row of each log into its chain (run it every few minutes)."""
        from arrears.bootstrap import audit_chains
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.audit.chain import seal_all

        container = open_container()
        with err.status("封存审计记录 sealing…"):
            sealed = seal_all(audit_chains(container.engine), datetime.now(UTC), timedelta(minutes=settle_minutes))
        for log, n in sealed.items():
            out.print(f"{log}: sealed 封存 {n:,}")

    @audit.command("verify")
    def verify() -> None:
        """Check every chain from its first row; name the first row that breaks (exit 1)."""
        from arrears.bootstrap import audit_chains
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.audit.chain import verify_all

        container = open_container()
        with err.status("校验审计哈希链 verifying…"):
            breaks = verify_all(audit_chains(container.engine))
        if not breaks:
            out.print("审计哈希链完整 / every audit chain is unbroken")
            return
        for found in breaks:
            err.print(f"{found.log} row {found.row_id}: {found.zh} / {found.en}", style="red", markup=False)
        raise typer.Exit(1)

    app.add_typer(audit, name="audit")
