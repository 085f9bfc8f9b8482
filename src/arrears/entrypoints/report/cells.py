"""How a report cell reads in a page or a file: money with two decimals and thousands
separators, rates as percentages, nothing as an empty cell."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from arrears.services.reporting.tables import Column


def shown(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return f"{Decimal(str(value)):,.2f}"
    if column.kind == "mean":
        return f"{value:,.3f}"
    if column.kind == "rate" and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if column.kind == "rate10k" and isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
