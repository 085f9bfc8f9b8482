"""A pydantic field type for some members of an enum: one vocabulary per concept (in
``domain.vocabulary``), each contract accepting its own subset of it.

    AddressedParty = Annotated[Party, only(ADDRESSED_PARTIES)]
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BeforeValidator


def only(members: Iterable[StrEnum]) -> BeforeValidator:
    """Accept only ``members`` of the annotated enum; a request's schema lists only them."""
    chosen = tuple(member.value for member in members)
    values = frozenset(chosen)
    *first, last = [repr(value) for value in chosen]
    expected = f"{', '.join(first)} or {last}" if first else last

    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in values:
            raise ValueError(f"Input should be {expected} (got {repr(value)[:60]})")
        return value

    listed: Any = Literal.__getitem__(chosen)
    return BeforeValidator(check, json_schema_input_type=listed)
