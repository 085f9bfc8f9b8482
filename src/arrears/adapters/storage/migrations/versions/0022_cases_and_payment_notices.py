"""cases, case_files (encrypted evidence), payment_references, payment_notices

Revision ID: 0022_cases_and_payment_notices
Revises: 0021_portal_links
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_cases_and_payment_notices"
down_revision = "0021_portal_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=False),
        sa.Column("raised_by", sa.String(20), nullable=False),
        sa.Column("raised_by_user", sa.String(64)),
        sa.Column("owner_user_id", sa.String(64)),
        sa.Column("jurisdiction", sa.String(64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_rule", sa.String(40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("resolution_enc", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
    )
    op.create_index("ix_cases_account_id", "cases", ["account_id"])
    op.create_index("ix_cases_owner_user_id", "cases", ["owner_user_id"])
    op.create_index("ix_cases_status_due", "cases", ["status", "due_on"])
    op.create_table(
        "case_files",
        sa.Column("file_id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name="pk_case_files"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name="fk_case_files_case_id_cases"),
    )
    op.create_index("ix_case_files_case_id", "case_files", ["case_id"])
    op.create_table(
        "payment_references",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(25), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_payment_references"),
        sa.UniqueConstraint("reference", name="uq_payment_references_reference"),
    )
    op.create_table(
        "payment_notices",
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("transaction_id", sa.String(100), nullable=False),
        sa.Column("reference", sa.String(25), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("provider", "transaction_id", name="pk_payment_notices"),
    )
    op.create_index("ix_payment_notices_account_id", "payment_notices", ["account_id"])


def downgrade() -> None:
    op.drop_table("payment_notices")
    op.drop_table("payment_references")
    op.drop_table("case_files")
    op.drop_table("cases")
