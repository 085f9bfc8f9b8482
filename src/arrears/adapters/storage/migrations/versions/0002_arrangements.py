"""arrangements: payment ledgers, promises, plans, settlements, extensions, hardship,
counselling referrals, and the shared append-only audit_events table

Revision ID: 0002_arrangements
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_arrangements"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def _cents(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, column: str) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def upgrade() -> None:
    _audit()
    _ledgers()
    _arrangements()


def _audit() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        _ts("at"),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_subject", "audit_events", ["subject", "event_id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action", "at"])
    _refuse_changes("audit_events")


def _refuse_changes(table: str) -> None:
    """Database triggers refuse UPDATE and DELETE: the table is append-only."""
    message = f"{table} is append-only"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def _ledgers() -> None:
    op.create_table(
        "payment_ledgers",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _cents("opening_fees_cents"),
        _cents("opening_interest_cents"),
        _cents("opening_principal_cents"),
        _cents("opening_past_due_cents"),
        sa.Column("oldest_unpaid_due_date", sa.Date(), nullable=True),
        sa.Column("allocation_order", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_payment_ledgers"),
    )
    op.create_table(
        "ledger_payments",
        sa.Column("payment_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _cents("amount_cents"),
        _ts("paid_at"),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        _cents("fees_cents"),
        _cents("interest_cents"),
        _cents("principal_cents"),
        _cents("credit_cents"),
        _cents("past_due_reduced_cents"),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["payment_ledgers.account_id"],
            name="fk_ledger_payments_account_id_payment_ledgers",
        ),
        sa.PrimaryKeyConstraint("payment_id", name="pk_ledger_payments"),
    )
    _index("ledger_payments", "account_id")


def _arrangements() -> None:
    op.create_table(
        "promises_to_pay",
        sa.Column("promise_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        _cents("amount_cents"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        _ts("made_at"),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("promise_id", name="pk_promises_to_pay"),
    )
    _index("promises_to_pay", "account_id")
    _plans()
    _settlements()
    op.create_table(
        "extensions",
        sa.Column("extension_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("original_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        _ts("granted_at"),
        sa.PrimaryKeyConstraint("extension_id", name="pk_extensions"),
    )
    _index("extensions", "account_id")
    op.create_table(
        "hardship_programmes",
        sa.Column("programme_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("enrolled_by", sa.String(length=100), nullable=False),
        _ts("enrolled_at"),
        sa.Column("reason", sa.Text(), nullable=False),
        _cents("token_amount_cents", nullable=True),
        sa.Column("token_currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("programme_id", name="pk_hardship_programmes"),
    )
    _index("hardship_programmes", "account_id")
    op.create_table(
        "counselling_referrals",
        sa.Column("referral_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("referred_by", sa.String(length=100), nullable=False),
        _ts("referred_at"),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("referral_id", name="pk_counselling_referrals"),
    )
    _index("counselling_referrals", "account_id")


def _plans() -> None:
    op.create_table(
        "installment_plans",
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        _cents("principal_cents"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("fee_kind", sa.String(length=20), nullable=False),
        sa.Column("fee_rate", sa.String(length=40), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        _ts("proposed_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("agreement_signed_by", sa.String(length=100), nullable=True),
        _ts("agreement_signed_at", nullable=True),
        sa.Column("agreement_ref", sa.String(length=200), nullable=True),
        sa.Column("agreement_sha256", sa.String(length=64), nullable=True),
        sa.Column("agreement_form", sa.String(length=20), nullable=True),
        sa.Column("activated_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("plan_id", name="pk_installment_plans"),
    )
    _index("installment_plans", "account_id")
    op.create_table(
        "plan_installments",
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        _cents("principal_cents"),
        _cents("fee_cents"),
        _cents("interest_cents"),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["installment_plans.plan_id"],
            name="fk_plan_installments_plan_id_installment_plans",
        ),
        sa.PrimaryKeyConstraint("plan_id", "number", name="pk_plan_installments"),
    )


def _settlements() -> None:
    op.create_table(
        "settlements",
        sa.Column("settlement_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        _cents("balance_cents"),
        _cents("amount_cents"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("discount", sa.String(length=40), nullable=False),
        sa.Column("offered_by", sa.String(length=100), nullable=False),
        _ts("offered_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=False),
        sa.Column("approver_role", sa.String(length=30), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("settlement_id", name="pk_settlements"),
    )
    _index("settlements", "account_id")
    op.create_table(
        "settlement_payments",
        sa.Column("settlement_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        _cents("amount_cents"),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.settlement_id"],
            name="fk_settlement_payments_settlement_id_settlements",
        ),
        sa.PrimaryKeyConstraint("settlement_id", "number", name="pk_settlement_payments"),
    )


def downgrade() -> None:
    for table in (
        "counselling_referrals",
        "hardship_programmes",
        "extensions",
        "settlement_payments",
        "settlements",
        "plan_installments",
        "installment_plans",
        "promises_to_pay",
        "ledger_payments",
        "payment_ledgers",
        "audit_events",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only() CASCADE")
