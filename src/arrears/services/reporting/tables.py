"""The report's tables: the same rows in report.xlsx, report.html and the dashboards.

A table is a list of columns (key, zh header, en header, kind) and rows of values; money stays a
``Decimal``, rates are fractions (0.25 = 25%), counts are ints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arrears.domain.reporting import Kpis, OperationReport


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "count"  # count | money | rate | rate10k | mean | text | date

    def header(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True)
class Table:
    name: str  # the sheet's name
    zh: str
    en: str
    columns: Sequence[Column]
    rows: list[list[Any]]

    def title(self, language: str) -> str:
        return self.en if language == "en" else self.zh


KPI_COLUMNS = (
    Column("contacts", "联系次数", "Contacts"),
    Column("right_party", "本人接通", "Right-party contacts"),
    Column("right_party_rate", "本人接通率", "Right-party rate", "rate"),
    Column("promises_made", "新增承诺（笔）", "Promises made"),
    Column("promised_amount", "承诺金额", "Promised (CNY)", "money"),
    Column("promises_kept", "兑现（笔）", "Promises kept"),
    Column("kept_amount", "兑现金额", "Kept (CNY)", "money"),
    Column("promises_partly_kept", "部分兑现（笔）", "Partly kept"),
    Column("promises_broken", "违约（笔）", "Promises broken"),
    Column("broken_amount", "违约金额", "Broken (CNY)", "money"),
    Column("kept_rate", "兑现率", "Kept rate", "rate"),
    Column("collected", "回收金额", "Collected (CNY)", "money"),
    Column("complaints", "投诉", "Complaints"),
    Column("complaints_per_10k", "每万次联系投诉", "Complaints per 10,000 contacts", "rate10k"),
    Column("blocked", "拦截的联系", "Blocked attempts"),
)


def kpi_values(kpis: Kpis) -> list[Any]:
    return [getattr(kpis, c.key) for c in KPI_COLUMNS]


def days_table(report: OperationReport) -> Table:
    return Table("KPIs by day", "每日指标", "KPIs by day",
                 [Column("day", "日期", "Day", "date"), *KPI_COLUMNS],
                 [[day, *kpi_values(k)] for day, k in report.days] + [["合计/total", *kpi_values(report.total)]])


DIMENSION_TITLES = {
    "collector": ("Collectors", "催收员", "Collectors", "催收员", "Collector"),
    "agency": ("Agencies", "委外机构", "Agencies", "委外机构", "Agency"),
    "segment": ("Segments", "客群", "Segments", "客群", "Segment"),
    "strategy": ("Strategies", "策略", "Strategies", "策略", "Strategy"),
}


def dimension_table(report: OperationReport, dimension: str) -> Table:
    sheet, zh, en, head_zh, head_en = DIMENSION_TITLES[dimension]
    rows = [[value, *kpi_values(k)] for value, k in report.by[dimension].items()]
    return Table(sheet, zh, en, [Column(dimension, head_zh, head_en, "text"), *KPI_COLUMNS], rows)


def roll_table(report: OperationReport) -> Table:
    buckets = list(report.roll.buckets)
    columns = [Column("from", "期初账龄 \\ 期末", "From \\ to", "text"),
               *(Column(b, b, b, "rate") for b in buckets), Column("accounts", "账户数", "Accounts")]
    rows = [[f, *(report.roll.rate(f, to) for to in buckets), report.roll.accounts_from(f)] for f in buckets]
    return Table("Roll rates", "迁徙率", "Roll rates", columns, rows)


def hours_table(report: OperationReport) -> Table:
    return Table("Contact by hour", "按小时接通", "Contact by hour",
                 [Column("hour", "当地小时", "Local hour"), Column("calls", "拨打", "Calls"),
                  Column("right_party", "本人接通", "Right-party"), Column("rate", "接通率", "Rate", "rate")],
                 [[h.hour, h.contacts, h.right_party, h.rate] for h in report.hours])


def blocked_table(report: OperationReport) -> Table:
    return Table("Blocked by rule", "按规则拦截", "Blocked by rule",
                 [Column("rule", "规则", "Rule", "text"), Column("blocked", "拦截次数", "Blocked")],
                 [[rule, n] for rule, n in report.blocked])


def experiments_table(report: OperationReport) -> Table:
    """Champion/challenger: per strategy, the accounts and the per-account means with 95% intervals."""
    columns = [Column("strategy", "策略", "Strategy", "text"), Column("accounts", "账户数", "Accounts")]
    for key, zh, en, kind in (("recovered", "每户回收", "Recovered per account", "money"),
                              ("promises_kept", "每户兑现承诺", "Promises kept per account", "mean"),
                              ("contacts", "每户联系", "Contacts per account", "mean"),
                              ("complaints", "每户投诉", "Complaints per account", "mean")):
        columns += [Column(key, zh, en, kind), Column(f"{key}_low", f"{zh} 95%下限", f"{en}, 95% low", kind),
                    Column(f"{key}_high", f"{zh} 95%上限", f"{en}, 95% high", kind)]
    rows = []
    for arm in report.arms:
        row: list[Any] = [arm.strategy, arm.accounts]
        for estimate in (arm.recovered, arm.promises_kept, arm.contacts, arm.complaints):
            row += [estimate.mean, estimate.low, estimate.high]
        rows.append(row)
    return Table("Champion-challenger", "冠军/挑战者", "Champion and challengers", columns, rows)


def report_tables(report: OperationReport) -> list[Table]:
    """Every table, in the order of the workbook's sheets."""
    return [days_table(report), roll_table(report), *(dimension_table(report, d) for d in DIMENSION_TITLES),
            experiments_table(report), hours_table(report), blocked_table(report)]
