"""The `arrears` command. Each capability registers its own sub-command group here.

A command line names one command: only the module that registers it is imported (the whole set
costs about a second of CPU a start, most of it libraries the one command does not need).
``arrears --help`` and anything not in the table register every module."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import typer

app = typer.Typer(
    name="arrears",
    help="arrears: humane, lawful, efficient credit card collections.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# every command (or command group) and the module of arrears.entrypoints.cli that registers it
COMMANDS: dict[str, str] = {
    "demo": "portfolio_cli", "ingest": "portfolio_cli", "run": "portfolio_cli", "version": "portfolio_cli",
    "compliance": "compliance_cli", "arrangement": "arrangements", "model": "model_cli",
    "score": "score_cli", "plan": "plan_cli", "simulate": "plan_cli",
    "dispatch": "outreach_cli", "outreach": "outreach_cli", "worker": "outreach_cli",
    "serve": "serve_cli", "demo-users": "serve_cli", "token": "token_cli", "template": "template_cli",
    "dialer": "dialer_cli", "report": "report_cli", "user": "user_cli",
    "allocate": "allocation_cli", "commission": "allocation_cli", "placement": "allocation_cli",
    "audit": "audit_cli", "retention": "retention_cli", "portal": "portal_cli",
}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


@app.callback()
def _arrears() -> None:
    """arrears: humane, lawful, efficient credit card collections."""


def modules_for(argv: list[str]) -> tuple[str, ...]:
    """The modules to import for this command line: the named command's, or all of them (also
    when another program, a test runner say, imports this module)."""
    started_as_arrears = Path(argv[0]).name in {"arrears", "main.py"} if argv else False
    named = argv[1] if started_as_arrears and len(argv) > 1 else None
    return (COMMANDS[named],) if named in COMMANDS else MODULES


# The planner runs for a minute or so over frames of gigabytes: polars' allocator (jemalloc) keeps
# what it frees for the next frames instead of handing it back to the system at once and faulting
# it in again. At 1,000,000 accounts `arrears plan` took 2.6 million page faults instead of 6.9
# million and 5-11 s less system time, for 1.4 GB more peak memory. Not for ingest: its forked
# workers then copy a larger parent (measured: 4-6 s more system time). An operator's own setting
# of the variable wins; the server and the other commands keep the default.
BATCH_COMMANDS = frozenset({"plan", "simulate"})
KEEP_FREED_MEMORY = "dirty_decay_ms:-1,muzzy_decay_ms:-1"


def tune_allocator(argv: list[str], environ: dict[str, str] | os._Environ[str]) -> None:
    """Before polars is imported: keep freed memory for the planner's commands (see above)."""
    if len(argv) > 1 and argv[1] in BATCH_COMMANDS:
        environ.setdefault("_RJEM_MALLOC_CONF", KEEP_FREED_MEMORY)


def register_modules(target: typer.Typer, modules: tuple[str, ...] = MODULES) -> None:
    for name in modules:
        importlib.import_module(f"arrears.entrypoints.cli.{name}").register(target)


tune_allocator(sys.argv, os.environ)
register_modules(app, modules_for(sys.argv))

if __name__ == "__main__":
    app()
