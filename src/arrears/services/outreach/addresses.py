"""Addresses a message may not go to, whatever the gate says of the contact (the sender's own
check, made before it reserves the attempt).

US customers: no e-mail to an address their employer provides (12 CFR 1006.22(f)(3), rule
``US-EMAIL-01`` of the US pack). Portfolios mark such an address with ``employer_provided`` on
its contact point (an optional column of contact_points.csv); the compliance-check-v1 kind of that
point is ``work_email``, which the US pack refuses for e-mail (an HTTP compliance check with that
kind is refused the same way)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from arrears.adapters.storage import tables as t
from arrears.compliance.facts import request_kind
from arrears.compliance.message_contents import country_of
from arrears.compliance.packs import load_pack
from arrears.services.contact_gate_port import GateVerdict

EMPLOYER_EMAIL = "US-EMAIL-01"


def employer_email_refusal(connection: Connection, contact_point_id: str, language: str = "zh") -> GateVerdict | None:
    """A denial when ``contact_point_id`` is an employer-provided e-mail address of a US customer; None otherwise."""
    p, c = t.contact_points.c, t.customers.c
    row = connection.execute(select(p.kind, p.employer_provided, c.jurisdiction)
                             .join(t.customers, c.customer_id == p.customer_id)
                             .where(p.contact_point_id == contact_point_id)).first()
    if row is None or request_kind(row.kind, row.employer_provided) != "work_email":
        return None
    if "US" not in {country_of(pack) for pack in (row.jurisdiction or "CN").split(";")}:
        return None
    pack = load_pack("US")
    spec = pack.rule(EMPLOYER_EMAIL)
    reason = spec.meaning_en if language == "en" else spec.meaning_zh
    return GateVerdict("deny", (spec.id,), (f"{reason} ({spec.citation})",), pack_versions=(f"US@{pack.version}",))
