"""compliance-check-v1 requests for planned attempts, and the ``Gate`` seam.

A ``Gate`` is any callable taking one request dict (compliance-check-v1) and returning the
answer dict (``decision`` allow | deny | review, ``rules``, ``reasons``). ``default_gate``
wraps ``arrears.compliance.gate.check``. The request carries packs from
customers.jurisdiction, zones from customers.timezone, flags from accounts.flags, and the
debtor's history from contacts.csv plus the attempts planned before it in the same plan
(``planned: true``, outcome null: counted as a dial that reaches no one; a contact of the
files whose outcome the contract does not know is null, which may still be any outcome).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import lru_cache
from itertools import repeat
from typing import Any, NamedTuple, Protocol, TypeVar

import polars as pl

from arrears.compliance.facts import LOOKBACK_DAYS, POINT_KIND, history_entry
from arrears.compliance.facts import debtor_flags as stored_debtor_flags

Gate = Callable[[dict[str, Any]], dict[str, Any]]
T = TypeVar("T", bound=tuple)

GATE_KIND = POINT_KIND  # the contact point's kind as the request says it (``compliance.facts``)
HISTORY_DAYS = LOOKBACK_DAYS  # the one look-back window (``compliance.facts``)


class GateUnavailable(RuntimeError):
    pass


def default_gate() -> Gate:
    """The real compliance gate (arrears.compliance.gate.check): strict behind the dict
    contract, with a trusted fast path (``.trusted``) for the requests the planner builds."""
    try:
        from arrears.planning.trusted_requests import CoreGate
    except ImportError as error:  # pragma: no cover - depends on what is installed
        raise GateUnavailable("the compliance gate (arrears.compliance.gate) is not installed") from error
    return CoreGate()


class PlannedRow(NamedTuple):
    """One planned attempt as the gate is asked about it (a row of the plan builder's frame,
    in these columns). A tuple, not a dict: the gate reads hundreds of thousands of them."""

    option: int
    account_id: str
    customer_id: str
    channel: str
    contact_point_id: str
    kind: str  # the contact point's kind (GATE_KIND)
    address: str | None
    at: str  # ISO 8601 with the debtor's offset
    zone: str
    jurisdiction: str  # pack codes, ``;``-separated
    language: str | None
    flags: list[str] | None
    agency_id: str | None
    purpose: str | None
    message: str | None
    at_history: str  # ``at`` in UTC, as history entries write it
    at_ts: int  # ``at`` in whole epoch seconds
    consent: bool | None = None  # the contact point was given with consent (TCPA)
    party: str = "debtor"  # whom the attempt addresses (a location call: the third party who owns the number)
    lost: bool = False  # the ``lost_contact`` flag of the one flag set (the debtor's own mobiles all invalid)


def tuples_of(cls: type[T], columns: list[list[Any]]) -> Iterator[T]:
    """Rows of ``cls`` (a NamedTuple with these columns' fields, in order) made in C: ``_make``
    is a Python call per row, which costs more than the row's values at a plan's size."""
    return map(tuple.__new__, repeat(cls), zip(*columns, strict=True))  # type: ignore[arg-type]


class GatePath(Protocol):
    """How the plan asks a gate about its attempts: the histories of some customers (None:
    every customer of ``recent``), one
    attempt's verdict given its history (portfolio's + planned before it), and the history
    entry an allowed attempt becomes."""

    def histories(self, recent: pl.DataFrame, customers: pl.Series | None = None) -> dict[str, Any]: ...

    def judge(self, attempt: PlannedRow, history: Any | None, earlier: list[Any],
              agencies: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]: ...

    def entry(self, attempt: PlannedRow) -> Any: ...


class DictPath:
    """Any ``Gate`` through the compliance-check-v1 dict contract (full validation)."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def histories(self, recent: pl.DataFrame, customers: pl.Series | None = None) -> dict[str, list[Any]]:
        return history_by_customer(recent, recent["customer_id"] if customers is None else customers)

    def judge(self, attempt: PlannedRow, history: list[Any] | None, earlier: list[Any],
              agencies: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]:
        history = history or []
        if earlier:
            history = sorted(history + earlier, key=_at_text)
        answer = self.gate(request_for(with_packs(attempt._asdict()), history, agencies))
        return answer.get("decision") == "allow", list(answer.get("rules", []))

    def entry(self, attempt: PlannedRow) -> Any:
        return planned_entry(attempt._asdict())


def with_packs(attempt: dict[str, Any]) -> dict[str, Any]:
    """Sets the attempt's ``packs`` from its ``jurisdiction`` (``CN;US``) unless it has them."""
    if "packs" not in attempt:
        attempt["packs"] = packs_of(attempt["jurisdiction"])
    return attempt


@lru_cache(maxsize=256)
def packs_of(jurisdiction: str) -> tuple[str, ...]:
    return tuple(code for code in jurisdiction.split(";") if code)


def _at_text(entry: dict[str, Any]) -> str:
    return entry["at"]  # every history instant is written in UTC, so text order is time order


def gate_path(gate: Gate) -> GatePath:
    """The gate's trusted path when it has one, else the dict contract."""
    trusted = getattr(gate, "trusted", None)
    return trusted if trusted is not None else DictPath(gate)


def debtor_flags(flags: list[str], consent: bool | None = None, lost: bool | None = None) -> dict[str, Any]:
    """The one flag set (``compliance.facts.debtor_flags``) of a planned attempt: the account's
    flags, the consent of the number used and ``lost_contact`` when every mobile of the debtor's
    own is listed invalid (the rule ``facts`` applies to the customer's points). The planner
    plans only usable numbers (never a do-not-contact one), so the opt-out flags change no
    verdict."""
    out = stored_debtor_flags(flags, consent=consent)
    if lost:
        out["lost_contact"] = True
    return out


def recent_history(contacts: pl.DataFrame, points: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The last ``HISTORY_DAYS`` days of contacts (and, from before them, each number's last
    call that found it dead: ``_last_proof_of_death``), narrowed to what a request history holds and
    put into the contract's vocabulary (a value it does not know becomes null = not known,
    a channel it does not know a call; a missing account means "every debt"), oldest first
    per customer. ``ts``: the instant in whole epoch seconds."""
    since = as_of - timedelta(days=HISTORY_DAYS)
    known = _vocabulary
    return (
        contacts.filter(pl.col("at").is_not_null() & ((pl.col("at").dt.date() >= since) | _last_proof_of_death(since)))
        .join(points.select("contact_point_id", "kind", "value"), on="contact_point_id", how="left")
        .sort("customer_id", "at", "contact_id")
        .select("customer_id", pl.col("at").dt.epoch("s").alias("ts"),
                pl.when(known("channel", _CHANNELS)).then(pl.col("channel")).otherwise(pl.lit("call")).alias("channel"),
                pl.when(known("direction", _DIRECTIONS)).then(pl.col("direction")).alias("direction"),
                pl.when(known("party", _PARTIES)).then(pl.col("party")).alias("party"),
                pl.col("kind").replace_strict(GATE_KIND, default=None, return_dtype=pl.Utf8).alias("kind"),
                "value", "account_id",
                pl.when(known("outcome", _OUTCOMES)).then(pl.col("outcome")).alias("outcome"), "agency_id")
    )


INVALID_NUMBER = ["not_in_service", "wrong_number"]


def _last_proof_of_death(since: date) -> pl.Expr:
    """Before ``since``: each number's last call that found it not in service or not the
    debtor's. Kept in the history so that the gate sees why a debtor whose numbers died long
    ago counts as lost (CN-3P-02) when the plan looks for them through a third party; no
    window of any rule reaches back that far, so no other verdict changes."""
    dead = ((pl.col("at").dt.date() < since) & (pl.col("direction").fill_null("outbound") == "outbound")
            & pl.col("outcome").is_in(INVALID_NUMBER).fill_null(False) & pl.col("contact_point_id").is_not_null())
    last = pl.col("at").filter(dead).max().over("contact_point_id")
    return dead & (pl.col("at") == last)


def _vocabulary(column: str, values: frozenset[str]) -> pl.Expr:
    return pl.col(column).is_in(sorted(values)).fill_null(False)


def history_by_customer(recent: pl.DataFrame, customers: pl.Series) -> dict[str, list[dict[str, Any]]]:
    """Request history entries of the given customers, from ``recent_history``; instants as
    UTC text (so text order is time order)."""
    wanted = customers.cast(recent.schema["customer_id"]).to_frame("customer_id")
    rows = recent.join(wanted, on="customer_id", how="semi", maintain_order="left")
    rows = rows.with_columns(pl.from_epoch("ts", time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")).select(
        "customer_id", "ts", "channel", "direction", "party", "kind", "value", "account_id", "outcome", "agency_id")
    out: dict[str, list[dict[str, Any]]] = {}
    for cid, at, channel, direction, party, kind, value, account, outcome, agency in rows.iter_rows():
        out.setdefault(cid, []).append(history_entry(
            at=at, channel=channel, direction=direction, to={"party": party, "kind": kind, "address": value},
            account_id=account, outcome=outcome, agency_id=agency))
    return out


_PARTIES = frozenset({"debtor", "spouse", "guarantor", "emergency_contact", "third_party", "attorney", "employer",
                      "unknown"})
_CHANNELS = frozenset({"call", "voicemail", "sms", "email", "letter", "visit"})
_DIRECTIONS = frozenset({"outbound", "inbound"})
_OUTCOMES = frozenset({"conversation", "answered_other", "no_answer", "voicemail", "dropped", "busy",
                       "not_in_service", "wrong_number", "delivered", "failed", "bounced", "refused", "dispute"})


def request_for(attempt: dict[str, Any], history: list[dict[str, Any]], agencies: dict[str, dict[str, Any]]
                ) -> dict[str, Any]:
    """The compliance-check-v1 request for one planned attempt (a row of the plan builder)."""
    agency = agencies.get(attempt["agency_id"]) if attempt.get("agency_id") else None
    return {
        "id": f"{attempt['account_id']}:{attempt['channel']}:{attempt['contact_point_id']}",
        "packs": list(attempt["packs"]),
        "language": attempt.get("language") if attempt.get("language") in ("zh", "en") else None,
        "at": attempt["at"],
        "action": {
            "channel": attempt["channel"],
            "to": {"party": attempt.get("party", "debtor"), "kind": GATE_KIND.get(attempt["kind"]),
                   "address": attempt["address"]},
            "debt_ids": [attempt["account_id"]],
            "automated": attempt["channel"] != "call",
            "message": attempt.get("message"),
            "agent": None,
            "agency": agency,
            "purpose": attempt.get("purpose", "collection"),
        },
        "debtor": {"id": attempt["customer_id"], "zones": [attempt["zone"]],
                   "flags": debtor_flags(attempt["flags"] or [], attempt.get("consent"), attempt.get("lost"))},
        "history": history,
    }


def planned_entry(attempt: dict[str, Any]) -> dict[str, Any]:
    """A planned attempt as a history entry for the attempts planned after it: `planned`, with
    no outcome (counted as the planner assumes, see ``compliance.history.PLANNED``)."""
    entry = history_entry(
        at=attempt.get("at_history", attempt["at"]), channel=attempt["channel"], direction="outbound",
        to={"party": attempt.get("party", "debtor"), "kind": GATE_KIND.get(attempt["kind"]),
            "address": attempt["address"]},
        account_id=attempt["account_id"], outcome=None, agency_id=attempt.get("agency_id"))
    entry["planned"] = True
    return entry


def agencies_by_id(agencies: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["agency_id"]: {"id": row["agency_id"], "authorized_until": row["authorized_until"],
                               "last_evaluation": row["last_evaluation"]}
            for row in agencies.iter_rows(named=True) if row["agency_id"]}
