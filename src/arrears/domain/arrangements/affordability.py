"""Affordability: an installment must fit in a share of the debtor's disposable income.

One rule, used where an arrangement is agreed (``check_affordability``) and where the daily plan
chooses which offer to make (``planning.affordability``, vectorised with the same policy): what a
debtor can pay in a month is ``max_share_of_disposable`` x (income - essential expenses)
(``affordable_ceiling``). Where only the income is known (the portfolio files carry
``monthly_income``, not expenses), the expenses are taken as ``assumed_expense_share`` of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arrears.domain.arrangements.decisions import Decision, allow, deny
from arrears.domain.money import Money

AFFORDABILITY_CITATION = "商业银行信用卡业务监督管理办法 第七十条 (还款能力); FCA CONC 7.3.4R"


@dataclass(frozen=True, slots=True)
class AffordabilityPolicy:
    max_share_of_disposable: Decimal = Decimal("0.50")
    # essential expenses as a share of a declared income when they were not declared (judgement)
    assumed_expense_share: Decimal = Decimal("0.50")


@dataclass(frozen=True, slots=True)
class Budget:
    """What the debtor declared: monthly income and monthly essential expenses."""

    monthly_income: Money
    monthly_expenses: Money

    @property
    def disposable(self) -> Money:
        return self.monthly_income - self.monthly_expenses


def budget_of_income(income: Money, policy: AffordabilityPolicy = AffordabilityPolicy()) -> Budget:
    """The budget of a debtor who declared an income and no expenses: the expenses are taken as
    the policy's ``assumed_expense_share`` of the income."""
    return Budget(income, (income * policy.assumed_expense_share).rounded())


def affordable_ceiling(budget: Budget, policy: AffordabilityPolicy = AffordabilityPolicy()) -> Money:
    """The most the debtor can be asked to pay in a month: the policy's share of the disposable
    income (never below zero)."""
    disposable = budget.disposable
    if disposable.amount <= 0:
        return Money(Decimal("0.00"), disposable.currency)
    return (disposable * policy.max_share_of_disposable).rounded()


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
    ceiling = affordable_ceiling(budget, policy)
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
