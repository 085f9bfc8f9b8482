"""Tables of the arrangements capability (issue 5). Money in whole cents with its currency,
rates and shares as exact decimal text, instants in UTC, business dates as ``Date``.

- ``payment_ledgers`` / ``ledger_payments``: each account's payment ledger as the
  arrangements domain keeps it: opening balances, allocation order, every posted payment
  with the split recorded at posting and its reversal date (payment ids are unique: the
  idempotency key of posting).
- ``promises_to_pay``; ``installment_plans`` / ``plan_installments`` (the schedule lines);
  ``settlements`` / ``settlement_payments``; ``extensions``; ``hardship_programmes``;
  ``counselling_referrals``.
- ``approval_requests``: maker–checker requests waiting for, or decided by, a second user.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from arrears.adapters.storage.tables import Id, UtcDateTime, metadata


def _ts(name: str, nullable: bool = False) -> Column:
    return Column(name, UtcDateTime(), nullable=nullable)


def _cents(name: str, nullable: bool = False) -> Column:
    return Column(name, BigInteger, nullable=nullable)


def _currency() -> Column:
    return Column("currency", String(3), nullable=False)


payment_ledgers = Table(
    "payment_ledgers",
    metadata,
    Column("account_id", Id, primary_key=True),
    _currency(),
    _cents("opening_fees_cents"),
    _cents("opening_interest_cents"),
    _cents("opening_principal_cents"),
    _cents("opening_past_due_cents"),
    Column("oldest_unpaid_due_date", Date),
    Column("allocation_order", String(60), nullable=False),  # "fees,interest,principal"
)

ledger_payments = Table(
    "ledger_payments",
    metadata,
    Column("payment_id", Id, primary_key=True),
    Column(
        "account_id",
        Id,
        ForeignKey("payment_ledgers.account_id"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),  # posting order within the ledger
    _cents("amount_cents"),
    _ts("paid_at"),
    Column("paid_on", Date, nullable=False),
    Column("channel", String(50), nullable=False),
    _cents("fees_cents"),
    _cents("interest_cents"),
    _cents("principal_cents"),
    _cents("credit_cents"),
    _cents("past_due_reduced_cents"),
    Column("reversed_on", Date),
    Column("reversal_reason", Text, nullable=False),
)

promises_to_pay = Table(
    "promises_to_pay",
    metadata,
    Column("promise_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    _cents("amount_cents"),
    _currency(),
    Column("promised_date", Date, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("taken_by", String(100), nullable=False),
    _ts("made_at"),
    Column("made_on", Date, nullable=False),
)

installment_plans = Table(
    "installment_plans",
    metadata,
    Column("plan_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("basis", String(20), nullable=False),
    _cents("principal_cents"),
    _currency(),
    Column("months", Integer, nullable=False),
    Column("first_due", Date, nullable=False),
    Column("fee_kind", String(20), nullable=False),
    Column("fee_rate", String(40), nullable=False),
    Column("proposed_by", String(100), nullable=False),
    _ts("proposed_at"),
    Column("status", String(20), nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("agreement_signed_by", String(100)),
    _ts("agreement_signed_at", nullable=True),
    Column("agreement_ref", String(200)),
    Column("agreement_sha256", String(64)),
    Column("agreement_form", String(20)),
    Column("activated_on", Date),
    Column("closed_on", Date),
)

plan_installments = Table(
    "plan_installments",
    metadata,
    Column("plan_id", Id, ForeignKey("installment_plans.plan_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    _cents("principal_cents"),
    _cents("fee_cents"),
    _cents("interest_cents"),
)

settlements = Table(
    "settlements",
    metadata,
    Column("settlement_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    _cents("balance_cents"),
    _cents("amount_cents"),
    _currency(),
    Column("discount", String(40), nullable=False),
    Column("offered_by", String(100), nullable=False),
    _ts("offered_at"),
    Column("status", String(20), nullable=False),
    Column("approved_by", String(100), nullable=False),
    Column("approver_role", String(30)),
    Column("accepted_on", Date),
    Column("closed_on", Date),
)

settlement_payments = Table(
    "settlement_payments",
    metadata,
    Column("settlement_id", Id, ForeignKey("settlements.settlement_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    _cents("amount_cents"),
)

extensions = Table(
    "extensions",
    metadata,
    Column("extension_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("subject", String(200), nullable=False),
    Column("original_due", Date, nullable=False),
    Column("new_due", Date, nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("granted_by", String(100), nullable=False),
    _ts("granted_at"),
)

hardship_programmes = Table(
    "hardship_programmes",
    metadata,
    Column("programme_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("review_on", Date, nullable=False),
    Column("enrolled_by", String(100), nullable=False),
    _ts("enrolled_at"),
    Column("reason", Text, nullable=False),
    _cents("token_amount_cents", nullable=True),
    Column("token_currency", String(3)),
)

counselling_referrals = Table(
    "counselling_referrals",
    metadata,
    Column("referral_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("organisation_id", String(100), nullable=False),
    Column("referred_by", String(100), nullable=False),
    _ts("referred_at"),
    Column("consent", Boolean, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("outcome_on", Date),
    Column("note", Text, nullable=False),
)

# Maker–checker approval requests (``domain.arrangements.approvals``): the request's
# terms as a JSON object of text values, who made it, the least authority that may approve
# it, and its decision. Listed newest first by status.
approval_requests = Table(
    "approval_requests",
    metadata,
    Column("approval_id", Id, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("account_id", Id, nullable=False, index=True),
    Column("parameters", Text, nullable=False),
    Column("maker", String(100), nullable=False),
    Column("required_authority", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by", String(100)),
    _ts("decided_at", nullable=True),
    Column("reason", Text, nullable=False),
    _ts("created_at"),
)
Index("ix_approval_requests_status", approval_requests.c.status, approval_requests.c.created_at)
