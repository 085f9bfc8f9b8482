"""The contact gate on the ledger's unit of work: every contact made through arrears passes here.

``build`` reads what is stored (the customer's zones and language, the account's flags and
contact points, the agent's training and the agency's mandate, the ledger's history) and lets
``compliance.facts`` turn it into a compliance-check-v1 request; the pure gate judges it; the
decision is appended to the audit. ``reserve`` first takes the debtor's lock, so concurrent
reservations for one debtor are judged one after another and can never together exceed a cap;
a reserved attempt has no outcome yet and is counted as everything it could still become.
``record_outcome`` takes the same lock and judges the outcome against the caps as of the
attempt's time with the debtor's other attempts, writing it only when no cap would be broken.
None of them commits: the unit of work is the caller's.

Numbers and addresses are identified by their keyed hash, never by plaintext.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from arrears.compliance import facts
from arrears.compliance.facts import PointFacts, Proposed
from arrears.compliance.gate import Screener, check, check_outcome
from arrears.compliance.history import outcomes_of
from arrears.compliance.packs import GateConfig
from arrears.compliance.request import Answer, Decision, RequestError, parse_request
from arrears.domain.contacts import Attempt, GateDecision, StoredContact, StoredDebtor
from arrears.services.contacts.ports import (
    AttemptClosed,
    AttemptError,
    AttemptUnknown,
    ContactLedger,
    ContactRequest,
    ContactsUnitOfWork,
    GateVerdict,
    OutcomeNotPossible,
)


class UnknownAccount(LookupError):
    pass


@dataclass(frozen=True)
class PreviewContact:
    request: ContactRequest
    language: str = "zh"


@dataclass(frozen=True)
class ReserveAttempt:
    """Judge a contact before it happens; allowed: record it as attempt ``attempt_id``."""

    request: ContactRequest
    attempt_id: str
    language: str = "zh"


@dataclass(frozen=True)
class RecordOutcome:
    """What came of a reserved attempt (portfolio-v1 outcome vocabulary; the party reached)."""

    attempt_id: str
    outcome: str
    completed_at: datetime
    party: str | None = None
    language: str = "zh"


@dataclass(frozen=True)
class Judge:
    """How requests are judged: the packs in force (None: the shipped ones) and the screener."""

    config: GateConfig | None = None
    screener: Screener | None = None

    def __call__(self, raw: dict[str, Any], outcome: str | None = None) -> Answer:
        """The proposed contact's answer; with ``outcome``, the made contact's, as it turned out."""
        try:
            request = parse_request(raw)
        except RequestError as error:  # stored data that the contract refuses: never a guess
            return Answer(id=raw["id"], decision=Decision.DENY, rules=["DATA-INVALID"],
                          reasons=[f"stored data cannot be judged: {error}"], warnings=[])
        if outcome is not None:
            return check_outcome(request, outcome, config=self.config)
        return check(request, screener=self.screener, config=self.config)

    @cached_property
    def lookback(self) -> timedelta:
        """How far back history is read: the one look-back window of the packs in force."""
        return timedelta(days=facts.lookback_days(self.config))


@dataclass(frozen=True)
class Built:
    """A request as built from the stored facts, and the facts the ledger keeps with it."""

    raw: dict[str, Any]
    debtor: StoredDebtor
    point: PointFacts | None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _debtor(ledger: ContactLedger, account_id: str) -> StoredDebtor:
    debtor = ledger.debtor(account_id)
    if debtor is None:
        raise UnknownAccount(f"unknown account {account_id}")
    return debtor


def _point(points: tuple[PointFacts, ...], request: ContactRequest) -> PointFacts | None:
    if request.contact_point_id is None:
        return None
    for point in points:
        if point.contact_point_id == request.contact_point_id:
            return point
    raise AttemptError(f"contact point {request.contact_point_id} does not belong to account {request.account_id}")


def _agent(ledger: ContactLedger, agent_id: str | None) -> dict[str, Any] | None:
    if agent_id is None:
        return None
    until = ledger.training_until(agent_id)
    return {"id": agent_id, "training_valid_until": until.isoformat() if until else None}


def _agency(ledger: ContactLedger, agency_id: str | None) -> dict[str, Any] | None:
    if not agency_id:
        return None
    until, evaluated = ledger.agency(agency_id) or (None, None)
    return {"id": agency_id, "authorized_until": until.isoformat() if until else None,
            "last_evaluation": evaluated.isoformat() if evaluated else None}


def _entry(contact: StoredContact, points: dict[str, PointFacts]) -> dict[str, Any]:
    point = points.get(contact.contact_point_id) if contact.contact_point_id else None
    return facts.history_entry(
        at=_iso(contact.at), channel=contact.channel, direction=contact.direction,
        to=facts.addressee(point, contact.party), account_id=contact.account_id, outcome=contact.outcome,
        agency_id=contact.agency_id, automated=contact.automated)


def window(judge: Judge, at: datetime) -> tuple[datetime, datetime]:
    """The instants of history a contact at ``at`` is judged with: the packs' look-back window and
    the rest of ``at``'s local day (attempts reserved for later today count too)."""
    return at.astimezone(UTC) - judge.lookback, at.astimezone(UTC) + timedelta(days=1)


def history(ledger: ContactLedger, judge: Judge, customer_id: str, points: tuple[PointFacts, ...], *,
            at: datetime, without: str | None) -> list[dict[str, Any]]:
    """The debtor's history for a contact at ``at``: the look-back window of the packs, and the
    rest of ``at``'s local day (attempts reserved for later today count too)."""
    since, until = window(judge, at)
    by_id = {p.contact_point_id: p for p in points}
    entries = [_entry(contact, by_id) for contact in ledger.history(customer_id, since, until, without)]
    entries.sort(key=lambda e: e["at"])
    return entries


def build(ledger: ContactLedger, judge: Judge, request: ContactRequest, language: str, *,
          reached: dict[str, Any] | None = None, without: str | None = None,
          debtor: StoredDebtor | None = None) -> Built:
    """The request for ``request`` (to ``reached`` when given: the party an attempt reached);
    the history leaves out attempt ``without``; ``debtor``: already read in this transaction."""
    debtor = debtor or _debtor(ledger, request.account_id)
    points = ledger.points(debtor.customer_id)
    point = _point(points, request)
    proposed = Proposed(
        request_id=f"{request.account_id}:{request.channel}:{_iso(request.at)}", account_id=request.account_id,
        channel=request.channel, at=_iso(request.at), to=reached or facts.addressee(point) or {"party": "debtor"},
        automated=request.automated, purpose=request.purpose, message=request.message,
        agent=_agent(ledger, request.agent_id), agency=_agency(ledger, debtor.agency_id),
        visitors=[_agent(ledger, v) for v in request.visitors] or None,  # type: ignore[misc]
    )
    raw = facts.check_request(
        proposed, packs=facts.packs_of(debtor.jurisdiction), language=language or debtor.language,
        debtor_id=debtor.customer_id, zones=[debtor.timezone],
        flags=facts.debtor_flags(debtor.flags, points, consent=point.consent if point else None),
        history=history(ledger, judge, debtor.customer_id, points, at=request.at, without=without))
    return Built(raw, debtor, point)


def audit(uow: ContactsUnitOfWork, mode: str, built: Built, answer: Answer, attempt_id: str | None) -> None:
    raw = built.raw
    request = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(request.encode()).hexdigest()
    uow.decisions.append(GateDecision(
        decided_for=datetime.fromisoformat(raw["at"]), mode=mode, request_digest=digest, request_id=raw["id"],
        account_id=raw["action"]["debt_ids"][0], customer_id=built.debtor.customer_id,
        channel=raw["action"]["channel"], agent_id=(raw["action"]["agent"] or {}).get("id"),
        pack_versions=dict(answer.pack_versions or {}), decision=str(answer.decision), rules=list(answer.rules),
        reasons=list(answer.reasons), warnings=list(answer.warnings), attempt_id=attempt_id, request=request,
    ))


def verdict(answer: Answer, attempt_id: str | None) -> GateVerdict:
    return GateVerdict(
        decision=str(answer.decision), rules=tuple(answer.rules), reasons=tuple(answer.reasons),
        warnings=tuple(answer.warnings),
        pack_versions=tuple(f"{k}={v}" for k, v in (answer.pack_versions or {}).items()), attempt_id=attempt_id,
    )


def preview(uow: ContactsUnitOfWork, judge: Judge, command: PreviewContact) -> GateVerdict:
    """May this happen now? Audited; records no attempt."""
    built = build(uow.ledger, judge, command.request, command.language)
    answer = judge(built.raw)
    audit(uow, "preview", built, answer, None)
    return verdict(answer, None)


def reserve(uow: ContactsUnitOfWork, judge: Judge, command: ReserveAttempt) -> GateVerdict:
    """Judge under the debtor's lock; allowed: the attempt enters the ledger."""
    request = command.request
    debtor = _debtor(uow.ledger, request.account_id)
    uow.ledger.lock(debtor.customer_id)
    built = build(uow.ledger, judge, request, command.language, debtor=_debtor(uow.ledger, request.account_id))
    answer = judge(built.raw)
    recorded = None
    if answer.decision == "allow":
        recorded = command.attempt_id
        point = built.point
        uow.ledger.add(Attempt(
            recorded, request.account_id, debtor.customer_id, request.contact_point_id,
            point.value_hash if point else None, request.channel, built.raw["action"]["to"]["party"],
            request.at.astimezone(UTC), request.agent_id, debtor.agency_id, request.automated, request.purpose))
    audit(uow, "reserve", built, answer, recorded)
    return verdict(answer, recorded)


def _open_attempt(ledger: ContactLedger, attempt_id: str) -> Attempt:
    attempt = ledger.get(attempt_id)
    if attempt is None:
        raise AttemptUnknown(f"attempt {attempt_id} is unknown or already has an outcome")
    ledger.lock(attempt.customer_id)
    attempt = ledger.get(attempt_id)  # as it is now that no one else records
    if attempt is None or attempt.outcome is not None:
        raise AttemptClosed(f"attempt {attempt_id} is unknown or already has an outcome")
    return attempt


def record_outcome(uow: ContactsUnitOfWork, judge: Judge, command: RecordOutcome) -> GateVerdict:
    """Judge what came of a reserved attempt against the caps; allowed: it is stored."""
    attempt_id, outcome, party = command.attempt_id, command.outcome, command.party
    attempt = _open_attempt(uow.ledger, attempt_id)
    if outcome not in outcomes_of(attempt.channel):
        raise OutcomeNotPossible(f"a {attempt.channel} attempt cannot have the outcome {outcome!r}")
    request = ContactRequest(attempt.account_id, attempt.channel, attempt.at, attempt.contact_point_id,
                             attempt.agent_id, automated=attempt.automated, purpose=attempt.purpose)
    points = {p.contact_point_id: p for p in uow.ledger.points(attempt.customer_id)}
    point = points.get(attempt.contact_point_id) if attempt.contact_point_id else None
    built = build(uow.ledger, judge, request, command.language,
                  reached=facts.reached(point, party or attempt.party), without=attempt_id)
    answer = judge(built.raw, outcome)
    if answer.decision == "allow":
        uow.ledger.complete(attempt_id, outcome, party, command.completed_at.astimezone(UTC))
    audit(uow, "outcome", built, answer, attempt_id)
    return verdict(answer, attempt_id)
