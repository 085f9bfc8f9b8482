"""attempt ledger without plaintext notes: contact_attempts.notes is emptied, then dropped

A collector's notes were written in clear to ``contact_attempts.notes`` while the same note is
kept encrypted in ``logged_contacts.notes_enc``; the encrypted copy stays the one place. The
column is emptied before it is dropped (a dropped column's values stay in the table's pages
until they are rewritten); run ``VACUUM`` (SQLite) or ``VACUUM FULL contact_attempts``
(PostgreSQL) after upgrading to reclaim the pages that held the old values.

Revision ID: 0013_attempt_notes_removed
Revises: 0012_approval_requests
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_attempt_notes_removed"
down_revision = "0012_approval_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE contact_attempts SET notes = NULL WHERE notes IS NOT NULL")
    with op.batch_alter_table("contact_attempts") as batch:
        batch.drop_column("notes")


def downgrade() -> None:
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("notes", sa.Text()))
