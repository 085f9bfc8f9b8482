"""`arrears compliance check FILE.jsonl`: one answer line per input line, in order, to stdout.

Exit 0 when every line was answered (errors included); 2 when the file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from arrears.services.compliance_check import answer_text, to_json_line

FILE_HELP = "JSON Lines file of requests ('-' = stdin)"


def _read(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    return file.read_text(encoding="utf-8")


def register(app: typer.Typer) -> None:
    compliance = typer.Typer(
        name="compliance", help="The pre-contact compliance gate.", no_args_is_help=True
    )

    @compliance.command("check")
    def check_file(file: Annotated[Path, typer.Argument(help=FILE_HELP)]) -> None:
        """Answer each request line: allow, deny or review, with rules and reasons."""
        try:
            text = _read(file)
        except (OSError, UnicodeDecodeError) as error:
            typer.echo(f"error: cannot read {file}: {error}", err=True)
            raise typer.Exit(2) from None
        out = sys.stdout
        for line in text.splitlines():
            out.write(to_json_line(answer_text(line)) + "\n")
        out.flush()

    app.add_typer(compliance, name="compliance")
