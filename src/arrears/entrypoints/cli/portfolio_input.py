"""How a command that reads a portfolio folder reports what it found: every problem as
``file:line: column: problem``, notes (e.g. a file read as GB18030) as warnings, and a
non-zero exit with nothing written when the folder is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from arrears.services.portfolio_files import Portfolio, PortfolioRefused

err = Console(stderr=True)
EXIT_REFUSED = 2


def print_notes(notes: list[str]) -> None:
    for note in notes:
        err.print(f"[yellow]注意 note:[/] {note}", highlight=False)


def print_refusal(error: PortfolioRefused, outcome: str = "nothing was written / 未写入任何内容") -> None:
    for line in error.errors:
        err.print(str(line), markup=False, highlight=False)
    shown = len(error.errors)
    if error.total > shown:
        err.print(f"... and {error.total - shown} more / 另有 {error.total - shown} 处")
    err.print(f"[red]拒绝 refused:[/] {error.total} error(s) in the portfolio; {outcome}", highlight=False)


def portfolio_or_exit(folder: Path, as_of: date, *, history: bool = False,
                      outcome: str = "nothing was written / 未写入任何内容", code: int = EXIT_REFUSED,
                      show_notes: bool = True) -> Portfolio:
    """The folder read and validated, or its problems printed and the command ended."""
    from arrears.services.portfolio_files import PortfolioReadError, PortfolioRefused, read_portfolio

    try:
        portfolio = read_portfolio(folder, as_of, history=history)
    except PortfolioReadError as error:
        err.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(EXIT_REFUSED) from None
    except PortfolioRefused as error:
        print_refusal(error, outcome)
        raise typer.Exit(code) from None
    if show_notes:
        print_notes(portfolio.notes)
    return portfolio
