"""The planner's own attempts straight into the gate's rules (no request, no JSON round trip).

The planner builds every value of its requests itself, from typed frames, so it skips the
dict encoding, the Pydantic validation of ``parse_request`` and the request models too: the
rules read only the facts of a ``Context``, and ``trusted_context`` gives them from the
planner's row (plain strings, the aware instant, agency and flag models validated once each,
the customer's history flattened once as ``Attempt``s and reused by all of that customer's
attempts; each allowed attempt is appended to it as the history of the ones after it). The
few values that could still be out of the contract (a pack code, a zone, a channel, a
purpose, an agency date from the files) are checked, and an attempt with one is denied
``REQUEST`` as the strict path would. The rules, and so the verdicts, are the same as through
the dict contract (``CoreGate.__call__``), which stays strict for external input; tested on
planned and varied attempts (tests/unit/planning/test_trusted_requests.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfoNotFoundError

import polars as pl
from pydantic import ValidationError

from arrears.compliance.context import Context
from arrears.compliance.gate import check, default_screener, verdict
from arrears.compliance.history import PLANNED, Attempt, by_time
from arrears.compliance.request import (
    Agency,
    Decision,
    Flags,
    PackCode,
    Purpose,
    RequestError,
    parse_request,
    zone,
)
from arrears.domain.vocabulary import Channel
from arrears.planning.gate_requests import GATE_KIND, PlannedRow, debtor_flags, tuples_of

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


class History(NamedTuple):
    """A customer's attempts oldest first, and their timestamps (what a ``Context`` holds)."""

    attempts: tuple[Attempt, ...]
    times: tuple[float, ...]

    @classmethod
    def of(cls, attempts: Iterable[Attempt]) -> History:
        """The attempts in any order, ordered as ``flatten_history`` orders a request's history
        (by time; a stable sort, so entries at the same second keep their order)."""
        ordered = tuple(sorted(attempts, key=by_time))
        return cls(ordered, tuple(map(by_time, ordered)))


NO_HISTORY = History((), ())


def _oldest_first(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with each customer's history ordered by time, as ``flatten_history`` orders a
    request's (stable: entries at the same second keep their order). ``recent_history`` already
    orders them so; checking that costs less than sorting, so they are sorted only if not."""
    customer = pl.col("customer_id")
    out_of_order = rows.select(((pl.col("ts").diff() < 0) & (customer == customer.shift())).any()).item()
    return rows.sort("customer_id", "ts", maintain_order=True) if out_of_order else rows


class TrustedPath:
    """The ``GatePath`` of the real gate for attempts the planner built."""

    def histories(self, recent: pl.DataFrame, customers: pl.Series | None = None) -> dict[str, History]:
        """Each customer's recent history (``gate_requests.recent_history``) as ``Attempt``s, the
        way ``flatten`` gives the dict path's entries (``history_by_customer``), oldest first;
        for ``customers``, or every customer in ``recent``."""
        if customers is not None:
            wanted = customers.cast(recent.schema["customer_id"]).to_frame("customer_id")
            recent = recent.join(wanted, on="customer_id", how="semi", maintain_order="left")
        rows = _oldest_first(recent)
        spans = rows.with_row_index("first").group_by("customer_id", maintain_order=True).agg(
            pl.col("first").first(), pl.len().alias("n"))
        flat = rows.select(pl.col("ts").cast(pl.Float64), "channel",
                           (pl.col("direction").is_null() | (pl.col("direction") == "outbound")).alias("outbound"),
                           "party", "kind", "value", "outcome", "account_id", pl.lit(False).alias("automated"),
                           "agency_id", pl.lit(None).alias("limited_content"))  # Attempt's fields in order;
        # account_id becomes debt_ids below; the ledger does not record limited-content voicemails
        columns = [flat[name].to_list() for name in flat.columns]
        debts = {account: frozenset((account,)) for account in set(columns[7]) if account}  # one set per account
        columns[7] = [debts[account] if account else None for account in columns[7]]  # None: every debt
        attempts, times = tuple(tuples_of(Attempt, columns)), tuple(columns[0])
        each = [slice(first, first + n) for first, n in zip(spans["first"].to_list(), spans["n"].to_list(),
                                                             strict=True)]
        return dict(zip(spans["customer_id"].cast(pl.Utf8).to_list(), tuples_of(
            History, [[attempts[span] for span in each], [times[span] for span in each]]), strict=True))

    def judge(self, attempt: PlannedRow, history: History | None, earlier: list[Attempt],
              agencies: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]:
        if earlier:
            history = History.of((*(history or NO_HISTORY).attempts, *earlier))
        codes = pack_codes(attempt.jurisdiction)
        ctx = trusted_context(attempt, history or NO_HISTORY, agencies)
        if codes is None or ctx is None:
            return REQUEST_DENIED
        decision, rules = verdict(ctx, codes)
        return decision is Decision.ALLOW, rules

    def entry(self, attempt: PlannedRow) -> Attempt:
        return planned_attempt(attempt)


def planned_attempt(attempt: PlannedRow) -> Attempt:
    """A planned attempt as history for the attempts after it (as ``gate_requests.planned_entry``)."""
    account = attempt.account_id
    return _new_attempt(Attempt, (float(attempt.at_ts), attempt.channel, True, attempt.party or DEBTOR,
                                  GATE_KIND.get(attempt.kind),
                                  attempt.address, PLANNED, frozenset((account,)) if account else None, False,
                                  attempt.agency_id, None))


_new_attempt = tuple.__new__  # Attempt's fields in order, made in C (as tuples_of)


DEBTOR = "debtor"  # a row without a party addresses the debtor (as requests say by default)


@lru_cache(maxsize=1024)
def screened(message: str) -> Any:
    """The screening of a planned message's text: the plan's messages are a few template texts
    said many times, each screened once."""
    return default_screener()(message)


def trusted_context(attempt: PlannedRow, history: History, agencies: dict[str, dict[str, Any]]
                    ) -> Context | None:
    """The facts ``Context.of`` gives for the request ``gate_requests.request_for`` +
    ``parse_request`` would make of the attempt, taken straight from the row; None when a
    value is outside the contract (deny REQUEST)."""
    agency_id, channel, purpose = attempt.agency_id, attempt.channel, attempt.purpose
    agency = _agency(agency_id, agencies) if agency_id else None
    if (agency is False or channel not in _CHANNELS or (purpose is not None and purpose not in _PURPOSES)
            or not isinstance(attempt.account_id, str) or not _zone_ok(attempt.zone)):
        return None
    instant = _instant(attempt.at)
    if instant is None:
        return None
    message = attempt.message
    return Context(  # by position (see Context), in its order:
        channel, attempt.party or DEBTOR, GATE_KIND.get(attempt.kind), attempt.address,  # channel, party, kind, address
        purpose, (attempt.account_id,), channel != "call",  # purpose, debt_ids, automated
        None, agency, None,  # agent, agency, visitors
        _flags(tuple(attempt.flags or ()), bool(attempt.consent), bool(attempt.lost)),  # flags
        *instant, (attempt.zone,),  # at, at_ts, zones
        *history,  # attempts, attempt_times
        None if message is None else screened(message),  # screening
    )


def _values(enum: type[StrEnum]) -> frozenset[str]:
    return frozenset(member.value for member in enum)


_CHANNELS, _PURPOSES, _PACK_CODES = map(_values, (Channel, Purpose, PackCode))


@lru_cache(maxsize=256)
def pack_codes(jurisdiction: str) -> tuple[str, ...] | None:
    """The packs of a ``CN;US`` jurisdiction, in its order; None when one is unknown or there
    is none (the contract asks for at least one known pack)."""
    codes = tuple(code for code in jurisdiction.split(";") if code)
    return codes if codes and all(code in _PACK_CODES for code in codes) else None


@lru_cache(maxsize=65536)
def _instant(text: str) -> tuple[datetime, float] | None:
    """The planned instant (ISO 8601 with the debtor's offset; a plan has few distinct ones)
    and its timestamp; None without an offset, which the contract refuses."""
    at = datetime.fromisoformat(text)
    return (at, at.timestamp()) if at.utcoffset() is not None else None


@lru_cache(maxsize=1024)
def _zone_ok(name: str) -> bool:
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=256)
def _flags(flags: tuple[str, ...], consent: bool, lost: bool = False) -> Flags:
    """The debtor's flags as the strict path parses them (validated once per flag set)."""
    return Flags.model_validate(debtor_flags(list(flags), consent, lost))


_AGENCIES: dict[tuple, Agency | Literal[False]] = {}


def _agency(agency_id: str, agencies: dict[str, dict[str, Any]]) -> Agency | Literal[False] | None:
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
