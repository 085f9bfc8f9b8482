"""Commission statements as files: one CSV per agency (UTF-8 with a byte-order mark, for Excel on
zh-CN Windows) and one workbook with a summary sheet and a sheet per agency."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter

from arrears.adapters.spreadsheets import formula_safe
from arrears.domain.commission import Statement

LINE_HEADER = ("账户 account", "还款日 paid on", "还款金额 amount", "委案账龄 bucket", "费率 rate", "佣金 commission",
               "依据 term")
SUMMARY_HEADER = ("机构 agency", "月份 month", "回收 recovered", "佣金 gross", "合规问题 findings", "扣留 held back",
                  "应付 net")


def _summary(s: Statement) -> tuple[object, ...]:
    return (s.agency_id, s.month, s.recovered, s.gross, s.findings, s.held_back, s.net)


def write_statements(statements: list[Statement], folder: Path, month: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for s in statements:
        path = folder / f"commission-{s.agency_id}-{month}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(SUMMARY_HEADER)
            out.writerow([formula_safe(str(v)) for v in _summary(s)])
            out.writerow([])
            out.writerow(LINE_HEADER)
            for line in s.lines:
                out.writerow([formula_safe(line.account_id), line.paid_on.isoformat(), f"{line.amount:.2f}",
                              line.bucket or "", f"{line.rate}", f"{line.commission:.2f}", line.term])
        written.append(path)
    written.append(_workbook(statements, folder / f"commission-{month}.xlsx"))
    return written


def _workbook(statements: list[Statement], path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    money, header = book.add_format({"num_format": "#,##0.00"}), book.add_format({"bold": True})
    try:
        summary = book.add_worksheet("Summary")
        summary.write_row(0, 0, SUMMARY_HEADER, header)
        for i, s in enumerate(statements, start=1):
            summary.write_row(i, 0, (s.agency_id, s.month))
            summary.write_number(i, 2, float(s.recovered), money)
            summary.write_number(i, 3, float(s.gross), money)
            summary.write_number(i, 4, s.findings)
            summary.write_number(i, 5, float(s.held_back), money)
            summary.write_number(i, 6, float(s.net), money)
        summary.set_column(0, 6, 16)
        for s in statements:
            sheet = book.add_worksheet(s.agency_id[:31])
            sheet.write_row(0, 0, LINE_HEADER, header)
            for i, line in enumerate(s.lines, start=1):
                sheet.write_string(i, 0, str(formula_safe(line.account_id)))
                sheet.write_string(i, 1, line.paid_on.isoformat())
                sheet.write_number(i, 2, float(line.amount), money)
                sheet.write_string(i, 3, line.bucket or "")
                sheet.write_number(i, 4, float(line.rate))
                sheet.write_number(i, 5, float(line.commission), money)
                sheet.write_string(i, 6, line.term)
            sheet.set_column(0, 6, 16)
    finally:
        book.close()
    return path
