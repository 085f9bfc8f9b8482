"""one contact ledger: logged_contacts folded into contact_attempts

Revision ID: 0016_one_contact_ledger
Revises: 0015_key_fingerprints_and_masks

A contact logged in the workbench was stored twice: the gate's attempt in ``contact_attempts``
and the workbench's row in ``logged_contacts`` (with the encrypted notes). ``contact_attempts``
gains the workbench's columns (contact id, who logged it, direction, encrypted notes, promise,
dispute, complaint, callback, pack versions); every logged contact is moved onto its attempt
(the party reached becomes the attempt's ``outcome_party`` when the attempt has none), a
logged contact whose attempt is not in the ledger becomes an attempt of its own, and
``logged_contacts`` is dropped. Nothing is decrypted: ``notes_enc`` moves as it is.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_one_contact_ledger"
down_revision = "0015_key_fingerprints_and_masks"
branch_labels = None
depends_on = None

ID = sa.String(length=64)
MOVED = ("contact_id", "direction", "notes_enc", "promise_amount_cents", "promise_date", "dispute", "complaint",
         "callback_at", "pack_versions")


def _logged() -> sa.Table:
    return sa.Table(
        "logged_contacts", sa.MetaData(),
        *(sa.Column(name, ID) for name in ("contact_id", "account_id", "customer_id", "contact_point_id", "user_id",
                                           "agent_id", "agency_id", "attempt_id")),
        *(sa.Column(name, sa.String(20)) for name in ("channel", "direction", "party", "state", "outcome")),
        sa.Column("at", sa.DateTime(timezone=True)), sa.Column("notes_enc", sa.LargeBinary()),
        sa.Column("promise_amount_cents", sa.BigInteger()), sa.Column("promise_date", sa.Date()),
        sa.Column("dispute", sa.Boolean()), sa.Column("complaint", sa.Boolean()),
        sa.Column("callback_at", sa.DateTime(timezone=True)), sa.Column("pack_versions", sa.String(200)),
    )


def _attempts() -> sa.Table:
    return sa.Table(
        "contact_attempts", sa.MetaData(),
        *(sa.Column(name, ID) for name in ("attempt_id", "account_id", "customer_id", "contact_point_id", "agent_id",
                                           "agency_id", "contact_id", "logged_by")),
        *(sa.Column(name, sa.String(20)) for name in ("address_hash", "channel", "party", "purpose", "outcome",
                                                      "outcome_party", "direction")),
        sa.Column("at", sa.DateTime(timezone=True)), sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("automated", sa.Boolean()), sa.Column("notes_enc", sa.LargeBinary()),
        sa.Column("promise_amount_cents", sa.BigInteger()), sa.Column("promise_date", sa.Date()),
        sa.Column("dispute", sa.Boolean()), sa.Column("complaint", sa.Boolean()),
        sa.Column("callback_at", sa.DateTime(timezone=True)), sa.Column("pack_versions", sa.String(200)),
    )


def _move_logged_contacts() -> None:
    bind = op.get_bind()
    logged, attempts = _logged(), _attempts()
    points = sa.Table("contact_points", sa.MetaData(), sa.Column("contact_point_id", ID),
                      sa.Column("value_hash", sa.String(32)))
    known = set(bind.execute(sa.select(attempts.c.attempt_id)).scalars())
    hashes = dict(bind.execute(sa.select(points.c.contact_point_id, points.c.value_hash)).all())
    for row in bind.execute(sa.select(logged)).mappings().all():
        moved = {name: row[name] for name in MOVED}
        moved["logged_by"] = row["user_id"]
        moved["dispute"], moved["complaint"] = bool(row["dispute"]), bool(row["complaint"])
        attempt_id = row["attempt_id"] or row["contact_id"]
        if attempt_id in known:
            bind.execute(attempts.update().where(attempts.c.attempt_id == attempt_id).values(**moved))
            bind.execute(attempts.update().where(attempts.c.attempt_id == attempt_id,
                                                 attempts.c.outcome_party.is_(None)).values(outcome_party=row["party"]))
            continue
        known.add(attempt_id)
        bind.execute(attempts.insert().values(
            attempt_id=attempt_id, account_id=row["account_id"], customer_id=row["customer_id"],
            contact_point_id=row["contact_point_id"], address_hash=hashes.get(row["contact_point_id"]),
            channel=row["channel"], party=row["party"] or "debtor", at=row["at"], agent_id=row["agent_id"],
            agency_id=row["agency_id"], automated=False, purpose="collection", outcome=row["outcome"],
            outcome_party=row["party"], completed_at=row["at"] if row["outcome"] else None, **moved,
        ))


def upgrade() -> None:
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("contact_id", ID, nullable=True))
        batch.add_column(sa.Column("logged_by", ID, nullable=True))
        batch.add_column(sa.Column("direction", sa.String(length=10), nullable=False,
                                   server_default=sa.text("'outbound'")))
        batch.add_column(sa.Column("notes_enc", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("promise_amount_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("promise_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("dispute", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("complaint", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pack_versions", sa.String(length=200), nullable=True))
    op.create_index("ix_contact_attempts_contact_id", "contact_attempts", ["contact_id"], unique=True)
    op.create_index("ix_contact_attempts_logged_by_at", "contact_attempts", ["logged_by", "at"])
    _move_logged_contacts()
    op.drop_index("ix_logged_contacts_user_at", table_name="logged_contacts")
    op.drop_index("ix_logged_contacts_account_id", table_name="logged_contacts")
    op.drop_table("logged_contacts")


def downgrade() -> None:
    op.create_table(
        "logged_contacts",
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("contact_point_id", ID, nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("promise_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("dispute", sa.Boolean(), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("pack_versions", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", name="pk_logged_contacts"),
    )
    op.create_index("ix_logged_contacts_account_id", "logged_contacts", ["account_id"])
    op.create_index("ix_logged_contacts_user_at", "logged_contacts", ["user_id", "at"])
    op.execute(
        "INSERT INTO logged_contacts (contact_id, account_id, customer_id, contact_point_id, channel, direction, at, "
        "party, state, outcome, notes_enc, promise_amount_cents, promise_date, dispute, complaint, callback_at, "
        "user_id, agent_id, agency_id, attempt_id, pack_versions) "
        "SELECT contact_id, account_id, customer_id, contact_point_id, channel, direction, at, outcome_party, "
        "CASE WHEN outcome IS NULL THEN 'reserved' ELSE 'logged' END, outcome, notes_enc, promise_amount_cents, "
        "promise_date, dispute, complaint, callback_at, logged_by, agent_id, agency_id, attempt_id, pack_versions "
        "FROM contact_attempts WHERE logged_by IS NOT NULL AND contact_id IS NOT NULL"
    )
    op.drop_index("ix_contact_attempts_logged_by_at", table_name="contact_attempts")
    op.drop_index("ix_contact_attempts_contact_id", table_name="contact_attempts")
    with op.batch_alter_table("contact_attempts") as batch:
        for name in reversed(MOVED):
            batch.drop_column(name)
        batch.drop_column("logged_by")
