"""The command line imports only the module of the command it runs: its table must name every
command each module registers, and nothing else."""

from __future__ import annotations

import importlib

import typer
from typer.main import get_command

from arrears.entrypoints.cli.main import COMMANDS, MODULES, modules_for


def _registered_by(module: str) -> set[str]:
    app = typer.Typer()

    @app.callback()
    def _group() -> None:
        """A group, as the real command is."""

    importlib.import_module(f"arrears.entrypoints.cli.{module}").register(app)
    return set(get_command(app).commands)  # type: ignore[attr-defined]


def test_every_command_a_module_registers_is_in_the_table_under_that_module() -> None:
    for module in MODULES:
        assert {name for name, owner in COMMANDS.items() if owner == module} == _registered_by(module), module


def test_every_module_of_the_command_line_is_in_the_table() -> None:
    from pathlib import Path

    from arrears.entrypoints import cli

    folder = Path(cli.__file__).parent
    registering = {p.stem for p in folder.glob("*.py") if "def register(" in p.read_text(encoding="utf-8")}
    registering |= {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
                    and "def register(" in (p / "__init__.py").read_text(encoding="utf-8")}
    assert registering == set(MODULES)


def test_a_command_line_naming_a_command_imports_only_its_module() -> None:
    assert modules_for(["/usr/bin/arrears", "ingest", "folder"]) == ("portfolio_cli",)
    assert modules_for(["/x/arrears/entrypoints/cli/main.py", "plan", "--help"]) == ("plan_cli",)


def test_help_an_unknown_word_or_another_program_imports_every_module() -> None:
    assert modules_for(["arrears", "--help"]) == MODULES
    assert modules_for(["arrears", "nonsense"]) == MODULES
    assert modules_for(["arrears"]) == MODULES
    assert modules_for(["pytest", "run"]) == MODULES


def test_the_planner_keeps_the_memory_it_frees_and_ingest_and_the_server_do_not() -> None:
    from arrears.entrypoints.cli.main import KEEP_FREED_MEMORY, tune_allocator

    plan: dict[str, str] = {}
    tune_allocator(["arrears", "plan", "--portfolio", "p"], plan)
    assert plan == {"_RJEM_MALLOC_CONF": KEEP_FREED_MEMORY}
    for command in ("serve", "ingest"):
        others: dict[str, str] = {}
        tune_allocator(["arrears", command], others)
        assert others == {}, command


def test_an_operators_own_allocator_setting_wins() -> None:
    from arrears.entrypoints.cli.main import tune_allocator

    environ = {"_RJEM_MALLOC_CONF": "background_thread:true"}
    tune_allocator(["arrears", "plan", "--portfolio", "p"], environ)
    assert environ == {"_RJEM_MALLOC_CONF": "background_thread:true"}
