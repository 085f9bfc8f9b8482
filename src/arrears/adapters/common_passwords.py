"""The list of common passwords shipped with arrears (``common_passwords.txt``: source and licence
in its header), read once."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = files("arrears.adapters").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))
