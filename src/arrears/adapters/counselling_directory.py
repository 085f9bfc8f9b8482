"""Load the counselling directory from a JSON file (default: the shipped EXAMPLE list)."""

from __future__ import annotations

import json
from pathlib import Path

import arrears.domain.arrangements as arrangements_package
from arrears.domain.arrangements.counselling import (
    CounsellingDirectory,
    DirectoryError,
    directory_from_records,
)

EXAMPLE_DIRECTORY = Path(arrangements_package.__file__).parent / "counselling_example.json"


def load_directory(path: Path | None = None) -> CounsellingDirectory:
    """Read ``{"organisations": [...]}``; errors name the file."""
    source = path or EXAMPLE_DIRECTORY
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        return directory_from_records(data["organisations"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DirectoryError(f"{source}: {exc}") from exc
