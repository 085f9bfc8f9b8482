"""Affordability: an installment must fit in a share of the debtor's disposable income."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arrears.domain.arrangements.decisions import Decision, allow, deny
from arrears.domain.money import Money

AFFORDABILITY_CITATION = "商业银行信用卡业务监督管理办法 第七十条 (还款能力); FCA CONC 7.3.4R"


@dataclass(frozen=True, slots=True)
class AffordabilityPolicy:
    max_share_of_disposable: Decimal = Decimal("0.50")


@dataclass(frozen=True, slots=True)
class Budget:
    """What the debtor declared: monthly income and monthly essential expenses."""

    monthly_income: Money
    monthly_expenses: Money

    @property
    def disposable(self) -> Money:
        return self.monthly_income - self.monthly_expenses


def check_affordability(
    installment: Money, budget: Budget, policy: AffordabilityPolicy = AffordabilityPolicy()
) -> Decision:
    """Allowed when ``installment`` <= share x (income - expenses)."""
    disposable = budget.disposable
    if disposable.amount <= 0:
        return deny(
            "ARR-AFFORD-01",
            f"申报收入减支出为 {disposable.amount}，无可支配收入；建议困难帮扶或转介债务咨询",
            f"declared income less expenses is {disposable.amount}: nothing to spare; "
            "consider hardship help or a referral to debt advice",
            AFFORDABILITY_CITATION,
        )
    ceiling = (disposable * policy.max_share_of_disposable).rounded()
    share = f"{policy.max_share_of_disposable * 100:.0f}%"
    if installment > ceiling:
        return deny(
            "ARR-AFFORD-01",
            f"每期 {installment.amount} 超过可支配收入 {disposable.amount} 的 {share}"
            f"（{ceiling.amount}）；请延长期数或降低金额",
            f"installment {installment.amount} is more than {share} of disposable income "
            f"{disposable.amount} ({ceiling.amount}); offer more months or a smaller amount",
            AFFORDABILITY_CITATION,
        )
    return allow(
        "ARR-AFFORD-01",
        f"每期 {installment.amount} 不超过可支配收入 {disposable.amount} 的 {share}",
        f"installment {installment.amount} is within {share} of disposable income "
        f"{disposable.amount}",
        AFFORDABILITY_CITATION,
    )
