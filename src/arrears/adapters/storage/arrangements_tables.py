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

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Text

from arrears.adapters.storage.tables import Id, account_record, cents, done_by, instant, table


def _currency() -> Column:
    return Column("currency", String(3), nullable=False)


def _schedule_line(parent: str, parent_id: str) -> tuple[Column, Column, Column]:
    """The key and due date of a line of a schedule (an installment, a settlement payment)."""
    return (
        Column(parent_id, Id, ForeignKey(f"{parent}.{parent_id}"), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("due_date", Date, nullable=False),
    )


payment_ledgers = table(
    "payment_ledgers",
    Column("account_id", Id, primary_key=True),
    _currency(),
    cents("opening_fees_cents"),
    cents("opening_interest_cents"),
    cents("opening_principal_cents"),
    cents("opening_past_due_cents"),
    Column("oldest_unpaid_due_date", Date),
    Column("allocation_order", String(60), nullable=False),  # "fees,interest,principal"
)

ledger_payments = table(
    "ledger_payments",
    Column("payment_id", Id, primary_key=True),
    Column(
        "account_id",
        Id,
        ForeignKey("payment_ledgers.account_id"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),  # posting order within the ledger
    cents("amount_cents"),
    instant("paid_at", nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("channel", String(50), nullable=False),
    cents("fees_cents"),
    cents("interest_cents"),
    cents("principal_cents"),
    cents("credit_cents"),
    cents("past_due_reduced_cents"),
    Column("reversed_on", Date),
    Column("reversal_reason", Text, nullable=False),
)

promises_to_pay = table(
    "promises_to_pay",
    *account_record("promise_id"),
    cents("amount_cents"),
    _currency(),
    Column("promised_date", Date, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("taken_by", String(100), nullable=False),
    instant("made_at", nullable=False),
    Column("made_on", Date, nullable=False),
)

installment_plans = table(
    "installment_plans",
    *account_record("plan_id"),
    Column("basis", String(20), nullable=False),
    cents("principal_cents"),
    _currency(),
    Column("months", Integer, nullable=False),
    Column("first_due", Date, nullable=False),
    Column("fee_kind", String(20), nullable=False),
    Column("fee_rate", String(40), nullable=False),
    *done_by("proposed"),
    Column("status", String(20), nullable=False),
    Column("approved_by", String(200), nullable=False),
    *done_by("agreement_signed", nullable=True),
    Column("agreement_ref", String(200)),
    Column("agreement_sha256", String(64)),
    Column("agreement_form", String(20)),
    Column("activated_on", Date),
    Column("closed_on", Date),
)

plan_installments = table(
    "plan_installments",
    *_schedule_line("installment_plans", "plan_id"),
    cents("principal_cents"),
    cents("fee_cents"),
    cents("interest_cents"),
)

settlements = table(
    "settlements",
    *account_record("settlement_id"),
    cents("balance_cents"),
    cents("amount_cents"),
    _currency(),
    Column("discount", String(40), nullable=False),
    *done_by("offered"),
    Column("status", String(20), nullable=False),
    Column("approved_by", String(100), nullable=False),
    Column("approver_role", String(30)),
    Column("accepted_on", Date),
    Column("closed_on", Date),
)

settlement_payments = table(
    "settlement_payments",
    *_schedule_line("settlements", "settlement_id"),
    cents("amount_cents"),
)

extensions = table(
    "extensions",
    *account_record("extension_id"),
    Column("subject", String(200), nullable=False),
    Column("original_due", Date, nullable=False),
    Column("new_due", Date, nullable=False),
    Column("requested_on", Date, nullable=False),
    *done_by("granted"),
)

hardship_programmes = table(
    "hardship_programmes",
    *account_record("programme_id"),
    Column("kind", String(20), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("review_on", Date, nullable=False),
    *done_by("enrolled"),
    Column("reason", Text, nullable=False),
    cents("token_amount_cents", nullable=True),
    Column("token_currency", String(3)),
)

counselling_referrals = table(
    "counselling_referrals",
    *account_record("referral_id"),
    Column("organisation_id", String(100), nullable=False),
    *done_by("referred"),
    Column("consent", Boolean, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("outcome_on", Date),
    Column("note", Text, nullable=False),
)

# Maker–checker approval requests (``domain.arrangements.approvals``): the request's
# terms as a JSON object of text values, who made it, the least authority that may approve
# it, and its decision. Listed newest first by status.
approval_requests = table(
    "approval_requests",
    Column("approval_id", Id, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("account_id", Id, nullable=False, index=True),
    Column("parameters", Text, nullable=False),
    Column("maker", String(100), nullable=False),
    Column("required_authority", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    *done_by("decided", nullable=True),
    Column("reason", Text, nullable=False),
    instant("created_at", nullable=False),
)
Index("ix_approval_requests_status", approval_requests.c.status, approval_requests.c.created_at)
