"""Settlements (减免结清): offering to settle what the ledger says is owed for less, within the
approver's authority, and the debtor's acceptance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arrears.domain.arrangements import settlements as settlement_rules
from arrears.domain.arrangements.approvals import ApprovalRequest
from arrears.domain.arrangements.settlements import Settlement, SettlementStatus
from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    ArrangementPolicies,
    Signer,
    audit,
    change,
    needs_approval_unless,
    refuse_unless,
    today,
)
from arrears.services.arrangements.payments import ledger_of, store_opened
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio


@dataclass(frozen=True, slots=True)
class AcceptSettlement:
    settlement_id: str


def accept_settlement(uow: ArrangementsUnitOfWork, command: AcceptSettlement, *, actor: str, now: datetime,
                      policies: ArrangementPolicies = DEFAULT_POLICIES) -> Settlement:
    """Record that the debtor accepted the offer."""
    def accepted(offer: Settlement) -> Settlement:
        return offer.moved_to(SettlementStatus.ACCEPTED, today(now, policies))

    return change(uow, "settlement", command.settlement_id, accepted, actor=actor, now=now)


@dataclass(frozen=True, slots=True)
class OfferSettlement:
    settlement_id: str
    account_id: str
    discount: Decimal  # share of the balance forgiven, 0..1
    first_due: date
    payments: int = 1

    def asks(self) -> ApprovalRequest:
        return ApprovalRequest(settlement_discount=self.discount)


def offer_settlement(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: OfferSettlement, *, maker: str,
                     approver: Signer, now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> Settlement:
    """Offer to settle what the ledger says is owed now, less the discount; a discount above
    the threshold needs the authority of ``approver``. A refusal stores nothing."""
    c, p = command, policies
    with uow:
        ledger, new = ledger_of(uow, portfolio, c.account_id)
        balance = ledger.balances().owed
        refuse_unless(settlement_rules.check_terms(c.discount, c.payments, p.settlement))
        settlement_rules.amount_to_settle(balance, c.discount, c.payments)
        approval = settlement_rules.check_approval(c.discount, approver.authority, p.settlement, p.limits)
        needs_approval_unless(approval, c.asks(), p)
        offer = settlement_rules.offer_settlement(
            settlement_id=c.settlement_id, account_id=c.account_id, balance=balance, discount=c.discount,
            first_due=c.first_due, payments=c.payments, offered_by=maker, offered_at=now,
            approved_by=approver.username, approver_role=approver.authority, policy=p.settlement, limits=p.limits,
        )
        uow.settlements.save(offer)
        audit(uow, now, maker, "settlement.offered", f"settlement:{offer.settlement_id}", account_id=c.account_id,
              before=f"balance {offer.balance.amount}",
              after=f"pay {offer.amount.amount} in {len(offer.payments)}; discount {offer.discount}; "
                    f"approved by {approver.username or 'not needed'}",
              approved_by=approver.username, authority="" if approver.authority is None else str(approver.authority))
        if new:
            store_opened(uow, ledger, actor=maker, now=now)
        uow.commit()
    return offer
