"""The planner's own attempts straight into the gate's typed contract (no JSON round trip).

The planner builds every value of its requests itself, from typed frames, so it skips the
dict encoding and the Pydantic validation of ``parse_request`` and uses
``CheckRequest.trusted``: enum members, aware datetimes and models built once per agency
and flag set. A customer's history is flattened once (``Attempt``s) and reused by all of
that customer's attempts; each allowed attempt is appended to it as the history of the ones
after it. The few values that could still be out of the contract (a pack code, a zone, an
agency date from the files) are checked, and an attempt with one is denied ``REQUEST`` as the
strict path would. The rules, and so the verdicts, are the same as through the dict contract
(``CoreGate.__call__``), which stays strict for external input; tested on planned attempts
(tests/unit/planning/test_trusted_requests.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import polars as pl
from pydantic import ValidationError

from arrears.compliance.gate import check, verdict
from arrears.compliance.history import Attempt
from arrears.compliance.request import (
    Action,
    Agency,
    CheckRequest,
    ContactPoint,
    Debtor,
    Decision,
    Flags,
    Kind,
    Language,
    PackCode,
    Party,
    Purpose,
    RequestError,
    parse_request,
    zone,
)
from arrears.domain.vocabulary import Channel
from arrears.planning.gate_requests import GATE_KIND, debtor_flags, with_packs

REQUEST_DENIED = (False, ["REQUEST"])


class CoreGate:
    """``arrears.compliance.gate.check`` behind the dict contract (strict: every request is
    parsed by ``parse_request``), plus ``trusted``, the planner's fast path."""

    def __init__(self) -> None:
        self.trusted = TrustedPath()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            parsed = parse_request(request)
        except RequestError as error:
            return {"id": request.get("id"), "decision": "deny", "rules": ["REQUEST"], "reasons": [str(error)]}
        answer = check(parsed)
        return {"id": answer.id, "decision": str(answer.decision), "rules": list(answer.rules),
                "reasons": list(answer.reasons)}


class TrustedPath:
    """The ``GatePath`` of the real gate for attempts the planner built."""

    def histories(self, recent: pl.DataFrame, customers: pl.Series) -> dict[str, list[Attempt]]:
        """Each customer's recent history (``gate_requests.recent_history``) as ``Attempt``s, the
        way ``flatten`` gives the dict path's entries (``history_by_customer``), oldest first."""
        wanted = customers.cast(recent.schema["customer_id"]).to_frame("customer_id")
        rows = recent.join(wanted, on="customer_id", how="semi", maintain_order="left")
        spans = rows.with_row_index("first").group_by("customer_id", maintain_order=True).agg(
            pl.col("first").first(), pl.len().alias("n"))
        flat = rows.select(pl.col("ts").cast(pl.Float64), "channel",
                           (pl.col("direction").is_null() | (pl.col("direction") == "outbound")).alias("outbound"),
                           "party", "kind", "value", "outcome", "account_id", pl.lit(False).alias("automated"),
                           "agency_id")  # Attempt's fields in order; account_id becomes debt_ids below
        columns = [flat[name].to_list() for name in flat.columns]
        debts = {account: frozenset((account,)) for account in set(columns[7]) if account}  # one set per account
        columns[7] = [debts[account] if account else None for account in columns[7]]  # None: every debt
        attempts = list(map(Attempt._make, zip(*columns, strict=True)))  # C-level: no Python __new__ per row
        return {customer: attempts[first:first + n] for customer, first, n in zip(
            spans["customer_id"].cast(pl.Utf8).to_list(), spans["first"].to_list(), spans["n"].to_list(), strict=True)}

    def judge(self, attempt: dict[str, Any], history: list[Attempt], earlier: list[Attempt],
              agencies: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]:
        request = trusted_request(with_packs(attempt), history + earlier if earlier else history, agencies)
        if request is None:
            return REQUEST_DENIED
        decision, rules = verdict(request)
        return decision is Decision.ALLOW, rules

    def entry(self, attempt: dict[str, Any]) -> Attempt:
        return planned_attempt(attempt)


def planned_attempt(attempt: dict[str, Any]) -> Attempt:
    """A planned attempt as history for the attempts after it (as ``gate_requests.planned_entry``)."""
    account = attempt["account_id"]
    return Attempt._make((float(attempt["at_ts"]), attempt["channel"], True, attempt.get("party", "debtor"),
                          GATE_KIND.get(attempt["kind"]), attempt["address"], None,
                          frozenset((account,)) if account else None, False, attempt.get("agency_id")))


def trusted_request(attempt: dict[str, Any], attempts: list[Attempt], agencies: dict[str, dict[str, Any]]
                    ) -> CheckRequest | None:
    """The request ``gate_requests.request_for`` + ``parse_request`` would give for the
    attempt, built directly; None when a value is outside the contract (deny REQUEST)."""
    packs = _packs(attempt["packs"] if isinstance(attempt["packs"], tuple) else tuple(attempt["packs"]))
    agency_id = attempt.get("agency_id")
    agency = _agency(agency_id, agencies) if agency_id else None
    if packs is None or agency is False or not _zone_ok(attempt["zone"]):
        return None
    channel = attempt["channel"]
    kind = GATE_KIND.get(attempt["kind"])
    action = Action.assemble(
        channel=_CHANNEL[channel],
        to=ContactPoint.assemble(party=_PARTY[attempt.get("party", "debtor")], kind=_KIND[kind] if kind else None,
                                 address=attempt["address"]),
        debt_ids=[attempt["account_id"]], automated=channel != "call", message=attempt.get("message"),
        agent=None, agency=agency, purpose=_purpose(attempt.get("purpose", "collection")),
    )
    language = attempt.get("language")
    debtor = Debtor.assemble(id=attempt["customer_id"], zones=[attempt["zone"]],
                                    flags=_flags(tuple(attempt["flags"] or ())))
    return CheckRequest.trusted(
        id=f"{attempt['account_id']}:{channel}:{attempt['contact_point_id']}", packs=list(packs),
        language=_LANGUAGE.get(language) if language else None, at=datetime.fromisoformat(attempt["at"]),
        action=action, debtor=debtor, attempts=attempts)


def _purpose(value: str | None) -> Purpose | None:
    return None if value is None else _PURPOSE[value]


def _members(enum: type[StrEnum]) -> dict[str, Any]:
    return {member.value: member for member in enum}  # a dict lookup is cheaper than Enum(value)


_CHANNEL, _PARTY, _KIND, _PURPOSE, _LANGUAGE = map(_members, (Channel, Party, Kind, Purpose, Language))


@lru_cache(maxsize=256)
def _packs(codes: tuple[str, ...]) -> tuple[PackCode, ...] | None:
    try:
        packs = tuple(PackCode(code) for code in codes)
    except ValueError:
        return None
    return packs or None  # the contract asks for at least one pack


@lru_cache(maxsize=1024)
def _zone_ok(name: str) -> bool:
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=256)
def _flags(flags: tuple[str, ...]) -> Flags | None:
    """The debtor's flags as the strict path parses them (validated once per flag set)."""
    return Flags.model_validate(debtor_flags(list(flags)))


_AGENCIES: dict[tuple, Agency | bool] = {}


def _agency(agency_id: str, agencies: dict[str, dict[str, Any]]) -> Agency | bool | None:
    """The agency as the strict path parses it (validated once per agency); False if invalid."""
    raw = agencies.get(agency_id)
    if raw is None:
        return None
    key = (agency_id, raw.get("authorized_until"), raw.get("last_evaluation"))
    model = _AGENCIES.get(key)
    if model is None:
        try:
            model = Agency.model_validate(raw)
        except ValidationError:
            model = False
        _AGENCIES[key] = model
    return model
