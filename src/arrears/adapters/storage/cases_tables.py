"""Tables of cases (disputes, hardship requests, complaints) and of payments in from a provider.

- ``cases``: one row a case; the customer's text and the resolution may hold personal data,
  so they are stored encrypted (``*_enc``); the due date and the rule it came from.
- ``case_files``: evidence attached to a case, the content and the file's name encrypted
  (AES-GCM, ``adapters.crypto``); kind, size and a SHA-256 of the plaintext for integrity.
- ``payment_references``: each account's stable payment reference (ISO 11649; no personal data).
- ``payment_notices``: every provider confirmation posted, keyed by (provider, transaction id):
  the key makes a second notice of the same transaction, even at the same instant, a
  duplicate that posts nothing.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, LargeBinary, String

from arrears.adapters.storage.tables import Id, account_record, cents, instant, table

cases = table(
    "cases",
    *account_record("case_id"),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("text_enc", LargeBinary, nullable=False),
    Column("raised_by", String(20), nullable=False),  # customer | staff
    Column("raised_by_user", Id),
    Column("owner_user_id", Id, index=True),
    Column("jurisdiction", String(64), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("due_rule", String(40), nullable=False),
    instant("opened_at", nullable=False),
    instant("updated_at", nullable=False),
    instant("closed_at"),
    Column("resolution_enc", LargeBinary),
)
Index("ix_cases_status_due", cases.c.status, cases.c.due_on)

case_files = table(
    "case_files",
    Column("file_id", Id, primary_key=True),
    Column("case_id", Id, ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(10), nullable=False),  # pdf | jpeg | png (by content)
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("name_enc", LargeBinary, nullable=False),
    Column("content_enc", LargeBinary, nullable=False),
    instant("uploaded_at", nullable=False),
)

payment_references = table(
    "payment_references",
    Column("account_id", Id, primary_key=True),
    Column("reference", String(25), nullable=False, unique=True),
    instant("created_at", nullable=False),
)

payment_notices = table(
    "payment_notices",
    Column("provider", String(40), primary_key=True),
    Column("transaction_id", String(100), primary_key=True),
    Column("reference", String(25), nullable=False),
    Column("account_id", Id, nullable=False, index=True),
    Column("payment_id", Id, nullable=False),
    cents("amount_cents"),
    Column("currency", String(3), nullable=False),
    instant("paid_at", nullable=False),
    instant("received_at", nullable=False),
    Column("received_by", String(120), nullable=False),
)
