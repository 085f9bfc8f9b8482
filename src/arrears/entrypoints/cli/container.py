"""The configured database, cipher and ladder for a command, or a clear refusal (exit 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

from arrears.adapters.crypto import EncryptionKeyError
from arrears.logs import configure_logging

if TYPE_CHECKING:  # the database libraries load with the commands that use them
    from arrears.bootstrap import Container

KEYS_REFUSED = 2


def open_container() -> Container:
    """The process's container for a command: missing, malformed or foreign keys stop it here,
    with exit code 2, before it reads or writes anything."""
    from arrears import bootstrap

    settings = bootstrap.settings()
    configure_logging(settings.log_level, settings.log_json)
    try:
        return bootstrap.container()
    except EncryptionKeyError as exc:
        Console(stderr=True).print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(KEYS_REFUSED) from None
