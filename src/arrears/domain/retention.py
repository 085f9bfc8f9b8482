"""How long contact records must be kept, and whether a month of them may go.

The contact history, the attempt ledger and the compliance decisions are kept in month
partitions on PostgreSQL; retention drops a whole month, never single rows. A month may go only
when every record in it is past the longest minimum that binds any of its rows:

- China (CN-REC-01, 办法 Arts. 68 and 70): collection records and recordings at least 2 years
  from the record;
- United States (US-REC-01, Reg F 1006.100): records of a debt at least 3 years **after the last
  collection activity on it**: a month of old records stays while any US account in it is still
  being worked (or was within the last 3 years);
- United Kingdom: no period is set by CONC; we keep 6 years (the Limitation Act's period for a
  claim on a contract), a policy of ours and not a rule.

A jurisdiction this table does not know keeps its months (no drop on a guess). Keeping data
longer than its purpose needs is itself a finding in China (CN-DATA-04, PIPL Art. 19): so months
past every minimum are listed for dropping, not kept for ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from arrears.domain.reasons import Reason

MINIMUM_YEARS: Mapping[str, int] = {"CN": 2, "US": 3, "UK": 6}
CITATIONS: Mapping[str, str] = {"CN": "《商业银行信用卡业务监督管理办法》第六十八条、第七十条 (CN-REC-01)",
                                "US": "12 CFR 1006.100 (US-REC-01)", "UK": "policy: Limitation Act 1980 s.5"}
AFTER_LAST_ACTIVITY = frozenset({"US"})  # the period runs from the debt's last activity, not the record


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, slots=True)
class MonthFacts:
    """What a month partition holds, as far as retention asks: its first day, its rows by the
    jurisdiction of their customer, and the last collection activity (any table) of the accounts
    of the jurisdictions whose period runs from the last activity."""

    month: date
    rows_by_jurisdiction: Mapping[str, int]
    last_activity: Mapping[str, date | None]  # jurisdiction -> latest activity of its accounts in the month
    chain_prefix: bool = True  # a hash-chained log: every row sealed and older (by id) than every row kept


@dataclass(frozen=True, slots=True)
class MonthVerdict:
    month: date
    may_drop: bool
    reason: Reason


def _reason(code: str, zh: str, en: str, citation: str = "") -> Reason:
    return Reason(code, zh, en, citation)


def judge_month(facts: MonthFacts, as_of: date, minimum_years: Mapping[str, int] = MINIMUM_YEARS) -> MonthVerdict:
    """Whether the month's records may all go on ``as_of`` (the first rule that keeps it says why).
    A month without rows goes only once past the shortest minimum: a recent one (this month, the
    months made ahead) is still being filled."""
    if not any(facts.rows_by_jurisdiction.values()) and younger_than_every_minimum(facts.month, as_of, minimum_years):
        return kept_as_young(facts.month, minimum_years)
    end = next_month(facts.month)  # the last record of the month is younger than this
    for jurisdiction, rows in sorted(facts.rows_by_jurisdiction.items()):
        if not rows:
            continue
        years = minimum_years.get(jurisdiction)
        if years is None:
            return MonthVerdict(facts.month, False, _reason(
                "RETENTION-UNKNOWN", f"{jurisdiction} 的保存期限未设定：保留",
                f"no retention period for {jurisdiction}: kept"))
        since = end
        if jurisdiction in AFTER_LAST_ACTIVITY:
            since = max(end, facts.last_activity.get(jurisdiction) or end)
        if years_before(as_of, years) < since:
            return MonthVerdict(facts.month, False, _reason(
                f"RETENTION-{jurisdiction}", f"{jurisdiction} 记录须保存 {years} 年（自 {since} 起算）",
                f"{jurisdiction} records are kept {years} years (counted from {since})",
                CITATIONS.get(jurisdiction, "")))
    return MonthVerdict(facts.month, True, _reason(
        "RETENTION-PAST", "所有记录均已超过最低保存期限", "every record is past its minimum retention"))


def younger_than_every_minimum(month: date, as_of: date, minimum_years: Mapping[str, int] = MINIMUM_YEARS) -> bool:
    """Whether the month's last day is within the shortest minimum of any jurisdiction: nothing in it
    may go whatever it holds (every period is at least that long, an unknown jurisdiction keeps), so
    its rows need not be read."""
    return years_before(as_of, min(minimum_years.values())) < next_month(month)


def kept_as_young(month: date, minimum_years: Mapping[str, int] = MINIMUM_YEARS) -> MonthVerdict:
    years = min(minimum_years.values())
    return MonthVerdict(month, False, _reason(
        "RETENTION-YOUNG", f"未满最短保存期限（{years} 年）：保留，未审查其记录",
        f"younger than the shortest minimum ({years} years): kept, its rows not read"))
