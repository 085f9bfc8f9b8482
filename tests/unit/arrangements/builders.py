from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from arrears.domain.arrangements.payments import Payment
from arrears.domain.money import Money

SHANGHAI = ZoneInfo("Asia/Shanghai")


def paid(payment_id: str, amount: str, on: date, account_id: str = "A1") -> Payment:
    """A payment at noon Beijing time on ``on``."""
    at = datetime(on.year, on.month, on.day, 12, 0, tzinfo=SHANGHAI)
    return Payment.received(payment_id, account_id, Money(Decimal(amount)), at)
