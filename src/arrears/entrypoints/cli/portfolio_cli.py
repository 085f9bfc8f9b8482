"""Portfolio commands: ingest, the nightly run, the demo."""

from __future__ import annotations

import typer

from arrears import __version__


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the arrears version."""
        typer.echo(__version__)
