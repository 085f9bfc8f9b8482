"""Champion/challenger results (冠军/挑战者策略对比): for each strategy of a split, per account,
money recovered, promises kept, contacts and complaints, each with a 95% confidence interval, and
a plain statement of whether a challenger is better than the champion yet.

Pure. An account belongs to the strategy of its latest stored plan (the split is a stable hash of
the account id, so an account stays in its arm). Every account of an arm counts, with zeros for
those that paid, promised or were contacted nothing. Intervals are the normal approximation of
the mean (mean ± 1.96 standard errors), and a challenger is called better or worse on recovery
only when the 95% interval of the difference (Welch) lies wholly above or below zero; otherwise
the statement says that it is not known yet and how many accounts each arm has.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

Z95 = 1.959964


@dataclass(frozen=True, slots=True)
class Estimate:
    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Estimate:
        n = len(values)
        if n == 0:
            return cls(0.0, 0.0, 0.0)
        mean = sum(values) / n
        half = Z95 * math.sqrt(_variance(values, mean) / n) if n > 1 else 0.0
        return cls(mean, mean - half, mean + half)


def _variance(values: list[float], mean: float) -> float:
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0


@dataclass(frozen=True, slots=True)
class AccountResult:
    recovered: Decimal = Decimal(0)
    promises_kept: int = 0
    contacts: int = 0
    complaints: int = 0


@dataclass(frozen=True)
class Arm:
    strategy: str
    accounts: int
    recovered: Estimate  # per account, yuan
    promises_kept: Estimate
    contacts: Estimate
    complaints: Estimate
    values: tuple[float, ...]  # recovered per account (for the comparison)


@dataclass(frozen=True)
class Verdict:
    challenger: str
    champion: str
    difference: Estimate  # recovered per account, challenger - champion
    better: bool | None  # None: not known yet
    zh: str
    en: str


def arms(results: Mapping[str, Mapping[str, AccountResult]]) -> list[Arm]:
    """``results``: strategy -> account -> its result (every account of the arm present)."""
    found = []
    for strategy, accounts in sorted(results.items()):
        rows = list(accounts.values())
        recovered = [float(r.recovered) for r in rows]
        found.append(Arm(strategy, len(rows), Estimate.of(recovered),
                         Estimate.of([float(r.promises_kept) for r in rows]),
                         Estimate.of([float(r.contacts) for r in rows]),
                         Estimate.of([float(r.complaints) for r in rows]), tuple(recovered)))
    return found


def champion_of(found: Iterable[Arm]) -> Arm | None:
    """The champion holds most of the accounts (ties: the first by name)."""
    ordered = sorted(found, key=lambda a: (-a.accounts, a.strategy))
    return ordered[0] if ordered else None


def verdict(champion: Arm, challenger: Arm) -> Verdict:
    a, b = list(champion.values), list(challenger.values)
    diff = challenger.recovered.mean - champion.recovered.mean
    se = math.sqrt((_variance(a, champion.recovered.mean) / len(a) if len(a) > 1 else 0.0)
                   + (_variance(b, challenger.recovered.mean) / len(b) if len(b) > 1 else 0.0))
    estimate = Estimate(diff, diff - Z95 * se, diff + Z95 * se)
    known = len(a) > 1 and len(b) > 1 and se > 0
    better = (True if estimate.low > 0 else False if estimate.high < 0 else None) if known else None
    span = f"{estimate.low:,.2f} … {estimate.high:,.2f}"
    if better is True:
        zh = f"挑战者 {challenger.strategy} 优于冠军 {champion.strategy}：每户多回收 {diff:,.2f} 元（95% 区间 {span}）"
        en = (f"the challenger {challenger.strategy} is better than the champion {champion.strategy}: "
              f"{diff:,.2f} more recovered per account (95% interval {span})")
    elif better is False:
        zh = f"挑战者 {challenger.strategy} 不如冠军 {champion.strategy}：每户少回收 {-diff:,.2f} 元（95% 区间 {span}）"
        en = (f"the challenger {challenger.strategy} is worse than the champion {champion.strategy}: "
              f"{-diff:,.2f} less recovered per account (95% interval {span})")
    else:
        zh = (f"尚不能判断挑战者 {challenger.strategy} 是否优于冠军 {champion.strategy}：差异 {diff:,.2f} 元/户，"
              f"95% 区间 {span} 含 0（{challenger.accounts} 对 {champion.accounts} 户）")
        en = (f"not known yet whether the challenger {challenger.strategy} is better than the champion "
              f"{champion.strategy}: {diff:,.2f} per account, 95% interval {span} includes 0 "
              f"({challenger.accounts} against {champion.accounts} accounts)")
    return Verdict(challenger.strategy, champion.strategy, estimate, better, zh, en)


def account_results(strategies: Mapping[str, str | None], recovered: Mapping[str, Decimal],
                    kept: Mapping[str, int], contacts: Mapping[str, int],
                    complaints: Mapping[str, int]) -> dict[str, dict[str, AccountResult]]:
    """Every account with a strategy, grouped by it, with its figures (zero where it has none)."""
    grouped: dict[str, dict[str, AccountResult]] = defaultdict(dict)
    for account, strategy in strategies.items():
        if strategy:
            grouped[strategy][account] = AccountResult(recovered.get(account, Decimal(0)), kept.get(account, 0),
                                                       contacts.get(account, 0), complaints.get(account, 0))
    return dict(grouped)
