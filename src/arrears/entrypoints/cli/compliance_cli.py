"""`arrears compliance check FILE.jsonl`: one answer line per input line, in order, to stdout.

Exit 0 when every line was answered (errors included); 2 when the file cannot be read.
Lines end at LF (a CR before it is dropped); a byte-order mark at the start of the file is
dropped; each line is decoded on its own, so a line that is not UTF-8 is answered with an
error like any other malformed line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from arrears.services.compliance_check import answer_text, to_json_line

FILE_HELP = "JSON Lines file of requests ('-' = stdin)"
BOM = b"\xef\xbb\xbf"


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    return file.read_bytes()


def lines_of(data: bytes) -> Iterator[bytes]:
    """The lines of a JSON Lines file: split at LF only (a JSON string may hold U+2028 and
    other characters ``str.splitlines`` would split at), CRLF accepted, no line after a final LF."""
    data = data.removeprefix(BOM)
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for part in parts:
        yield part.removesuffix(b"\r")


def register(app: typer.Typer) -> None:
    compliance = typer.Typer(
        name="compliance", help="The pre-contact compliance gate.", no_args_is_help=True
    )

    @compliance.command("check")
    def check_file(file: Annotated[Path, typer.Argument(help=FILE_HELP)]) -> None:
        """Answer each request line: allow, deny or review, with rules and reasons."""
        try:
            data = _read(file)
        except OSError as error:
            typer.echo(f"error: cannot read {file}: {error}", err=True)
            raise typer.Exit(2) from None
        out = sys.stdout
        for line in lines_of(data):
            out.write(to_json_line(answer_text(line)) + "\n")
        out.flush()

    app.add_typer(compliance, name="compliance")
