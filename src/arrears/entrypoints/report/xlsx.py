"""report.xlsx: one sheet per table of the report. Money is a number with two decimals, rates are
percentages, text cells that a spreadsheet would run as formulas are neutralised, and the
headers follow the language chosen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from arrears.adapters.spreadsheets import formula_safe
from arrears.domain.reporting import OperationReport
from arrears.services.reporting.tables import Column, Table, report_tables

FORMATS = {"money": "#,##0.00", "rate": "0.0%", "rate10k": "#,##0.00", "mean": "#,##0.000", "count": "#,##0",
           "date": "yyyy-mm-dd"}


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return formula_safe(value)


def _sheet(book: Any, table: Table, language: str, formats: dict[str, Any]) -> None:
    sheet = book.add_worksheet(table.name[:31])
    header = formats["header"]
    for j, column in enumerate(table.columns):
        sheet.write_string(0, j, column.header(language), header)
        sheet.set_column(j, j, 18 if j else 22, formats.get(column.kind))
    for i, row in enumerate(table.rows, start=1):
        for j, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            _write(sheet, i, j, value, column=column, formats=formats)
    sheet.freeze_panes(1, 1)


def _write(sheet: Any, i: int, j: int, value: Any, *, column: Column, formats: dict[str, Any]) -> None:
    if value is None:
        sheet.write_blank(i, j, None)
    elif isinstance(value, date):
        sheet.write_datetime(i, j, value, formats["date"])
    elif isinstance(value, str):
        sheet.write_string(i, j, str(_cell(value)))
    else:
        sheet.write_number(i, j, _cell(value), formats.get(column.kind))


def write_xlsx(report: OperationReport, target: Path | BinaryIO, language: str) -> None:
    """Write the workbook to a file or a binary stream (a download)."""
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target,
                               {"remove_timezone": True, "in_memory": True})
    formats = {kind: book.add_format({"num_format": pattern}) for kind, pattern in FORMATS.items()}
    formats["header"] = book.add_format({"bold": True, "bg_color": "#F0F4F8", "text_wrap": True})
    try:
        for table in report_tables(report):
            _sheet(book, table, language, formats)
    finally:
        book.close()
