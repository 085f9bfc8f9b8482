"""Placements (委案): which agency works an account, from when to when, and how it came back.
``accounts.agency_id`` holds the active placement's agency (what every scope reads); this table
holds the history. At most one active placement per account."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Text, text

from arrears.adapters.storage.tables import Id, cents, table

placements = table(
    "placements",
    Column("placement_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("account_id", Id, nullable=False),
    Column("agency_id", Id, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("until", Date, nullable=False),  # the last day of the placement period
    Column("status", String(10), nullable=False),  # active | recalled
    Column("rule", String(100), nullable=False),  # the allocation rule, or "by_hand"
    Column("reason", Text, nullable=False),
    Column("placed_by", String(100), nullable=False),
    cents("balance_cents"),  # the balance when placed (performance)
    Column("bucket", String(10)),  # the bucket when placed (the commission rate)
    Column("recalled_on", Date),
    Column("recall_reason", String(20)),
    Column("recall_note", Text),
    Column("recalled_by", String(100)),
)
ACTIVE = text("status = 'active'")
Index("ix_placements_one_active", placements.c.account_id, unique=True, sqlite_where=ACTIVE,
      postgresql_where=ACTIVE)
Index("ix_placements_account", placements.c.account_id, placements.c.placed_on)
Index("ix_placements_agency_status", placements.c.agency_id, placements.c.status)
