"""Who runs a command: the name the audit gives the CLI's acts."""

from __future__ import annotations

import getpass


def os_user() -> str:
    """The operating-system user running the command, or ``operator`` where the system names none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def cli_operator() -> str:
    """``cli:`` and the OS user's name (its first 50 characters)."""
    return f"cli:{os_user()[:50]}"
