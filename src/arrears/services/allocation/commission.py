"""Monthly commission statements per agency (委外佣金结算单): the agreement in the allocation rules,
the payments received within each placement, and the month's compliance findings."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Protocol

from arrears.domain.commission import PlacedPayment, Statement, statement
from arrears.services.allocation.rules import AllocationRules


class CommissionSource(Protocol):
    def placed_payments(self, start: date, end: date, zone: str) -> dict[str, list[PlacedPayment]]: ...
    def findings(self, start: date, end: date, zone: str) -> dict[str, int]: ...


class MonthError(ValueError):
    """Not a month (YYYY-MM)."""


def month_range(month: str) -> tuple[date, date]:
    try:
        year, number = (int(part) for part in month.split("-"))
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    except ValueError:
        raise MonthError(f"--month: {month!r} is not a month (YYYY-MM)") from None


def commission_statements(source: CommissionSource, rules: AllocationRules, month: str, zone: str) -> list[Statement]:
    """One statement for every agency whose agreement is in the rules, in agency order."""
    start, end = month_range(month)
    payments = source.placed_payments(start, end, zone)
    findings = source.findings(start, end, zone)
    return [statement(terms.commission, month, payments.get(agency, []), findings.get(agency, 0))
            for agency, terms in sorted(rules.agencies.items()) if terms.commission is not None]
