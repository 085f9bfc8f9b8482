"""`arrears dialer list --agent ID --out FILE.csv`: a preview dialer's list for one collector
(today's queue as they may work it, each with the first number masked and the gate's preview
of a call now), formula-safe, UTF-8 with a byte-order mark for spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    dialer = typer.Typer(name="dialer", help="The call channel 拨号: preview lists for dialers.", no_args_is_help=True)

    @dialer.command("list")
    def preview(
        agent: Annotated[str, typer.Option("--agent", help="the collector's agent id 工号")],
        out: Annotated[Path, typer.Option("--out", help="the CSV file to write")],
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many accounts")] = 200,
    ) -> None:
        """Write the collector's preview list (one account a row, highest priority first)."""
        import polars as pl

        from arrears.adapters.spreadsheets import write_csv
        from arrears.entrypoints.api.workbench.state import default_gate
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.dialer.preview_list import COLUMNS, preview_list
        from arrears.services.workbench.context import Workbench
        from arrears.services.workbench.errors import WorkbenchError

        container = open_container()
        wb = Workbench(engine=container.engine, cipher=container.cipher, gate=default_gate(container),
                       timezone=container.settings.timezone)
        try:
            rows = preview_list(wb, agent, limit=limit)
        except WorkbenchError as error:
            err.print(str(error), style="red", markup=False)
            raise typer.Exit(2) from None
        frame = pl.DataFrame(rows, schema={c: pl.Int64 if c in ("position", "best_hour") else pl.String
                                           for c in COLUMNS}, orient="row") if rows else pl.DataFrame(
            schema={c: pl.String for c in COLUMNS})
        try:
            write_csv(frame, out, bom=True)
        except OSError as error:
            err.print(f"{out}: cannot write: {error}", style="red", markup=False)
            raise typer.Exit(2) from None
        typer.echo(f"{len(rows)} accounts 个案件 -> {out}")

    app.add_typer(dialer, name="dialer")
