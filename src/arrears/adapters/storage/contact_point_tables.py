"""The changes collectors make to customers' contact points in the workbench (issue 16): a number
the customer gave, a number marked wrong, a consent given or withdrawn.

Append-only: each row keeps the point's state after the change (owner, status, consent,
do-not-contact) with who made it, when and why. The point itself (``contact_points``) carries the
latest state, so the gate, the planner and the pages read it as they read any point; ingest lays
the latest state again over what a later portfolio file says (``reapply_contact_point_changes``),
so the next nightly file does not forget what the customer told a collector.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, String

from arrears.adapters.storage.tables import Id, done_by, serial, table

contact_point_changes = table(
    "contact_point_changes",
    serial("change_id"),
    Column("contact_point_id", Id, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),  # the account page it was made on
    Column("change", String(20), nullable=False),  # domain.contact_points.PointChange
    Column("reason", String(20)),  # WrongReason of a point marked wrong
    Column("consent_method", String(20)),  # ConsentMethod of a consent given or withdrawn
    Column("consent_scope", String(30)),  # ConsentScope: what the consent permits
    Column("consent_on", Date),  # the day the consent was given (or withdrawn)
    # the point's state after the change
    Column("owner", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("consent", Boolean),
    Column("do_not_contact", Boolean, nullable=False),
    *done_by("changed"),
)
Index("ix_contact_point_changes_point", contact_point_changes.c.contact_point_id, contact_point_changes.c.change_id)
