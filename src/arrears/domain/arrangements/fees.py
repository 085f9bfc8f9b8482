"""Fee policies of an installment plan: none, a monthly fee on the plan principal, or
interest on the declining balance (annual rate / 12, equal payments: an annuity)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class FeeKind(StrEnum):
    NONE = "none"
    MONTHLY_FEE = "monthly_fee"  # 每期手续费 = 本金 x 月费率
    INTEREST = "interest"  # 按剩余本金计息 (等额本息)


class FeePolicyError(ValueError):
    """A fee policy outside what the issuer allows."""


@dataclass(frozen=True, slots=True)
class FeeLimits:
    """The issuer's ceilings on plan pricing (settings, not law)."""

    max_monthly_fee_rate: Decimal = Decimal("0.02")
    max_annual_rate: Decimal = Decimal("0.24")


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """How a plan is priced. ``rate`` is the monthly fee rate or the annual interest rate."""

    kind: FeeKind = FeeKind.NONE
    rate: Decimal = Decimal("0")

    @classmethod
    def none(cls) -> FeePolicy:
        return cls(FeeKind.NONE, Decimal("0"))

    @classmethod
    def monthly_fee(cls, rate: Decimal) -> FeePolicy:
        return cls(FeeKind.MONTHLY_FEE, rate)

    @classmethod
    def interest(cls, annual_rate: Decimal) -> FeePolicy:
        return cls(FeeKind.INTEREST, annual_rate)

    @classmethod
    def chosen(cls, monthly_fee_rate: Decimal | None, annual_rate: Decimal | None, names: tuple[str, str]) -> FeePolicy:
        """The policy of the one rate given (none: no fees); both is an error naming the two inputs."""
        if monthly_fee_rate is not None and annual_rate is not None:
            one, other = names
            raise FeePolicyError(f"{one} 与 {other} 只能选一个 / give one of {one} and {other}, not both")
        if monthly_fee_rate is not None:
            return cls.monthly_fee(monthly_fee_rate)
        return cls.none() if annual_rate is None else cls.interest(annual_rate)

    @property
    def monthly_rate(self) -> Decimal:
        """The rate applied each month: the fee rate, or the annual interest rate / 12."""
        return self.rate / 12 if self.kind is FeeKind.INTEREST else self.rate

    def check(self, limits: FeeLimits = FeeLimits()) -> None:
        """Raise FeePolicyError when the rate is negative, not Decimal, or above the limit."""
        if isinstance(self.rate, bool) or not isinstance(self.rate, Decimal):
            raise FeePolicyError("rates are Decimal, never float")
        if not self.rate.is_finite() or self.rate < 0:
            raise FeePolicyError(f"rate must be zero or more, not {self.rate}")
        if self.kind is FeeKind.NONE and self.rate != 0:
            raise FeePolicyError("a plan without fees has no rate")
        if self.kind is FeeKind.MONTHLY_FEE and self.rate > limits.max_monthly_fee_rate:
            raise FeePolicyError(
                f"monthly fee rate {self.rate} is above the limit {limits.max_monthly_fee_rate}"
            )
        if self.kind is FeeKind.INTEREST and self.rate > limits.max_annual_rate:
            raise FeePolicyError(
                f"annual rate {self.rate} is above the limit {limits.max_annual_rate}"
            )
