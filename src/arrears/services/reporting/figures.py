"""The operation's report for a date range: the stored facts, judged and summed by
``domain.reporting``. Dashboards and ``arrears report`` both call ``report_for``, so their
figures are the same by construction (and a test compares them)."""

from __future__ import annotations

from typing import Protocol

from arrears.domain.reporting import OperationReport, ReportRange, StoredFacts, operation_report


class ReportingSource(Protocol):
    def facts(self, wanted: ReportRange) -> StoredFacts: ...


def report_for(source: ReportingSource, wanted: ReportRange) -> OperationReport:
    wanted = wanted.check()
    return operation_report(source.facts(wanted).judged(wanted.start, wanted.end), wanted.start, wanted.end)
