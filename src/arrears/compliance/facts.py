"""Portfolio facts as the rules' facts: the one translation, for the gate, the planner and the workbench.

What arrears stores or plans (an account's flags, a customer's contact points, the attempts of
the ledger, a planned attempt) is said in the portfolio's words; the rules read the words of
compliance-check-v1. This module is the only place that turns the one into the other:

- ``LOOKBACK_DAYS``: how far back any caller reads history, the longest window any rule of the
  packs counts over (``rules.WINDOWS``) plus a day, so that a window that starts at a local
  midnight in any zone, or a cut made on UTC dates, still holds all of it;
- ``debtor_flags``: the one flag set (the account's flags, the opt-outs and third parties'
  do-not-contact numbers, lost contact, the consent of the number used);
- ``addressee`` and ``history_entry``: who a contact point reaches and an attempt as history;
- ``check_request``: the compliance-check-v1 request itself.

Pure: no IO, no clock; the callers read the rows and pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from arrears.compliance.packs import PACK_ORDER, GateConfig, default_config
from arrears.compliance.request import Party
from arrears.compliance.rules import WINDOWS

# contact_points.owner -> the request's party
OWNER_PARTY = {
    "debtor": "debtor", "spouse": "spouse", "guarantor": "guarantor",
    "emergency_contact": "emergency_contact", "employer": "employer", "other": "third_party",
}
# contact_points.kind -> the request's kind of number or address
POINT_KIND = {"mobile": "mobile", "home": "home", "work": "work", "email": "personal_email", "postal": "postal",
              "employer_email": "work_email"}  # an e-mail address with ``employer_provided`` (see point_kind)
# accounts.flags (``;``-separated) -> the request's debtor flags
ACCOUNT_FLAGS = {
    "dispute": "dispute_open", "cease": "cease_communication", "attorney": "attorney_represented",
    "deceased": "deceased", "bankruptcy": "bankruptcy", "installment_plan": "installment_plan_active",
    "time_barred": "time_barred", "litigation_authorized": "litigation_authorized",
    # not a portfolio flag: the stored gate adds it while a dispute case is open (docs/cases.md)
    "dispute_hold": "dispute_hold",
}
PARTIES = frozenset(member.value for member in Party)
# the parties a recorded outcome may name as the person who answered (over the number's owner)
ANSWERING = frozenset({"debtor", "spouse", "guarantor", "emergency_contact", "third_party"})
DEBTOR = "debtor"


def lookback_days(config: GateConfig | None = None) -> int:
    """Days of history that hold every window any rule of the packs counts over (as tightened
    by ``config``), plus a day for the zones: a window of N local dates ends with the judged
    instant's date and starts at most N days before the instant; a day more covers the cut
    on UTC dates (the planner) and a local date up to 14 hours ahead of UTC's."""
    config = config or default_config()
    specs = [spec for code in PACK_ORDER for spec in config.pack(code).rules if spec.id in WINDOWS]
    return max(WINDOWS[spec.id](spec.params) for spec in specs) + 1


LOOKBACK_DAYS = lookback_days()  # with the shipped packs (the planner's and the workbench's)


@dataclass(frozen=True, slots=True)
class PointFacts:
    """A contact point as the rules need it (``value_hash``: the keyed hash, never the value)."""

    contact_point_id: str
    kind: str
    owner: str
    value_hash: str | None
    do_not_contact: bool = False
    consent: bool | None = None
    status: str | None = None
    employer_provided: bool | None = None  # an e-mail address the employer gave (US: work_email)


def point_kind(kind: str, employer_provided: bool | None = None) -> str:
    """A contact point's kind with its ``employer_provided`` flag folded in: an e-mail address
    the employer provided is ``employer_email`` (the planner's frames say it the same way)."""
    return "employer_email" if kind == "email" and employer_provided else kind


def request_kind(kind: str, employer_provided: bool | None = None) -> str:
    """The request's kind of a stored contact point: an e-mail address is a personal one unless
    the employer provided it (``work_email``: the US pack refuses e-mail there)."""
    folded = point_kind(kind, employer_provided)
    return POINT_KIND.get(folded, folded)


def account_flags(flags: str | Iterable[str] | None) -> dict[str, Any]:
    """The request's flags for an account's flags (``dispute;cease`` or a list of them)."""
    names = (flags or "").split(";") if isinstance(flags, str) or flags is None else flags
    return {ACCOUNT_FLAGS[name]: True for name in names if name in ACCOUNT_FLAGS}


def debtor_flags(flags: str | Iterable[str] | None, points: Sequence[PointFacts] = (), *,
                 consent: bool | None = None) -> dict[str, Any]:
    """The one flag set: the account's ``flags``; from the customer's ``points``, the debtor's
    own opted-out numbers, the third parties' do-not-contact numbers and lost contact (every
    debtor mobile invalid); ``consent``: the number used was given with consent (TCPA).

    The planner passes no points: it plans only the debtor's own numbers that are neither
    invalid nor do-not-contact, for which those three flags change no verdict."""
    out = account_flags(flags) | _point_flags(points)
    if consent:
        out["tcpa_consent"] = True
    return out


def _point_flags(points: Sequence[PointFacts]) -> dict[str, Any]:
    debtors = [p for p in points if p.owner == DEBTOR]
    out: dict[str, Any] = {}
    opt_outs = [p.value_hash for p in debtors if p.do_not_contact]
    if opt_outs:
        out["opt_outs"] = opt_outs
    others = [p.value_hash for p in points if p.owner != DEBTOR and p.do_not_contact]
    if others:
        out["third_party_do_not_contact"] = others
    if debtors and all(p.status == "invalid" for p in debtors if p.kind == "mobile"):
        out["lost_contact"] = True
    return out


def addressee(point: PointFacts | None, party: str | None = None) -> dict[str, Any] | None:
    """Who ``point`` reaches (its owner, or ``party`` when that names the person who answered:
    ``ANSWERING``); without a point, ``party`` alone (None when neither is known)."""
    if point is None:
        return {"party": party} if party else None
    to = {"party": OWNER_PARTY[point.owner], "kind": request_kind(point.kind, point.employer_provided),
          "address": point.value_hash}
    if party in ANSWERING:
        to["party"] = party
    return to


def reached(point: PointFacts | None, party: str | None) -> dict[str, Any]:
    """Who an attempt reached, as the history counts it: a party the contract does not know
    counts as the debtor (``compliance.history.DEBTOR_LIKE``)."""
    to = dict(addressee(point, party) or {"party": DEBTOR})
    if to["party"] not in PARTIES:
        to["party"] = DEBTOR
    return to


def history_entry(*, at: str, channel: str, direction: str | None, to: dict[str, Any] | None,
                  account_id: str | None, outcome: str | None, agency_id: str | None,
                  automated: bool | None = None) -> dict[str, Any]:
    """One history entry of compliance-check-v1 (``at``: ISO 8601, in UTC)."""
    entry: dict[str, Any] = {"at": at, "channel": channel, "direction": direction or "outbound",
                             "debt_ids": [account_id] if account_id else None, "to": to, "outcome": outcome,
                             "agency_id": agency_id}
    if automated is not None:
        entry["automated"] = automated
    return entry


@dataclass(frozen=True, slots=True)
class Proposed:
    """A proposed contact in the portfolio's words (``at``: ISO 8601 with an offset)."""

    request_id: str
    account_id: str
    channel: str
    at: str
    to: dict[str, Any]
    automated: bool
    purpose: str | None = "collection"
    message: str | None = None
    agent: dict[str, Any] | None = None
    agency: dict[str, Any] | None = None
    visitors: list[dict[str, Any]] | None = None


def check_request(proposed: Proposed, *, packs: Sequence[str], language: str | None, debtor_id: str,
                  zones: Sequence[str], flags: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """The compliance-check-v1 request for a proposed contact on a debtor."""
    return {
        "id": proposed.request_id,
        "packs": list(packs),
        "language": language,
        "at": proposed.at,
        "action": {
            "channel": proposed.channel, "to": proposed.to, "debt_ids": [proposed.account_id],
            "automated": proposed.automated, "message": proposed.message, "agent": proposed.agent,
            "agency": proposed.agency, "visitors": proposed.visitors, "purpose": proposed.purpose,
        },
        "debtor": {"id": debtor_id, "zones": list(zones), "flags": flags},
        "history": history,
    }


def packs_of(jurisdiction: str | None) -> list[str]:
    """The packs of a customer's jurisdiction (``CN;US``; none stored: CN)."""
    return [code for code in (jurisdiction or "CN").split(";") if code]
