"""key fingerprints; stored masks brought to the masking rules of one set

Revision ID: 0015_key_fingerprints_and_masks
Revises: 0014_service_tokens

``key_fingerprints`` holds an HMAC of a fixed label under each key, so a command started
with another key is refused before it reads or writes anything. The masks stored by
earlier versions showed the first 3 and last 4 digits of a resident ID, the first 3 of a
phone number and the city of an address; the masks are idempotent, so each stored mask is
masked again under the current rules (no key needed): the last 4 characters of an ID or a
phone, the province of an address, the surname or first letter of a name.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from arrears.domain.personal import mask_address, mask_contact, mask_name, mask_national_id

revision = "0015_key_fingerprints_and_masks"
down_revision = "0014_service_tokens"
branch_labels = None
depends_on = None

BATCH = 10_000


def _remask(table: str, key: str, columns: dict[str, Callable[[str], str]]) -> None:
    """Mask every stored mask of ``columns`` again, in batches, writing only the ones that change."""
    bind = op.get_bind()
    meta = sa.Table(table, sa.MetaData(), sa.Column(key, sa.String(64), primary_key=True),
                    *(sa.Column(name, sa.String(200)) for name in columns))
    changed: list[dict[str, str | None]] = []
    for row in bind.execute(sa.select(meta)).mappings().all():
        new = {name: None if row[name] is None else mask(row[name]) for name, mask in columns.items()}
        if any(new[name] != row[name] for name in columns):
            changed.append({"k": row[key], **{f"v_{name}": value for name, value in new.items()}})
    statement = meta.update().where(meta.c[key] == sa.bindparam("k")).values(
        {name: sa.bindparam(f"v_{name}") for name in columns})
    for start in range(0, len(changed), BATCH):
        bind.execute(statement, changed[start:start + BATCH])


def _remask_points() -> None:
    bind = op.get_bind()
    points = sa.Table("contact_points", sa.MetaData(), sa.Column("contact_point_id", sa.String(64)),
                      sa.Column("kind", sa.String(10)), sa.Column("value_masked", sa.String(200)))
    changed = [{"k": point_id, "v": mask_contact(kind, masked)}
               for point_id, kind, masked in bind.execute(sa.select(points)).all()
               if mask_contact(kind, masked) != masked]
    statement = points.update().where(points.c.contact_point_id == sa.bindparam("k")).values(
        value_masked=sa.bindparam("v"))
    for start in range(0, len(changed), BATCH):
        bind.execute(statement, changed[start:start + BATCH])


def upgrade() -> None:
    op.create_table(
        "key_fingerprints",
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_key_fingerprints")),
    )
    _remask("customers", "customer_id",
            {"name_masked": mask_name, "national_id_masked": mask_national_id, "address_masked": mask_address})
    _remask("agents", "agent_id", {"name_masked": mask_name})
    _remask_points()


def downgrade() -> None:
    op.drop_table("key_fingerprints")
