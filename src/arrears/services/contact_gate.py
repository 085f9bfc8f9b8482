"""The database-backed contact gate: every contact made through arrears passes here.

It builds a compliance-check-v1 request from what is stored (customer zones and language,
account flags, the agent's training and the agency's mandate, the shared attempt ledger:
ingested contacts plus attempts made through arrears), asks the pure compliance gate, and
appends the decision to the audit table. ``reserve`` does all of it in one transaction
that first takes the debtor's lock row, so concurrent reservations for one debtor are
judged one after another and can never together exceed a cap; a reserved attempt has no
outcome yet, and the counters count it as everything it could still become.
``record_outcome`` takes the same lock, judges the outcome against the caps as of the
attempt's time with the debtor's other attempts (``compliance.gate.check_outcome``) and
writes it only when no cap would be broken. Both work inside the caller's transaction when
given its connection, so the caller's rows and the ledger commit or roll back together.

Numbers and addresses are identified by their keyed hash, never by plaintext.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts, debtor_locks
from arrears.compliance.gate import Screener, check, check_outcome
from arrears.compliance.history import outcomes_of
from arrears.compliance.packs import GateConfig
from arrears.compliance.request import Answer, Decision, Party, RequestError, parse_request
from arrears.services.contact_gate_port import (
    AttemptClosed,
    AttemptError,
    AttemptUnknown,
    ContactRequest,
    GateVerdict,
    OutcomeNotPossible,
)

HISTORY_DAYS = 31  # the longest counting window (US-MA: 30 days) plus a day
OWNER_TO_PARTY = {
    "debtor": "debtor", "spouse": "spouse", "guarantor": "guarantor",
    "emergency_contact": "emergency_contact", "employer": "employer", "other": "third_party",
}
KIND_TO_KIND = {"mobile": "mobile", "home": "home", "work": "work", "email": "personal_email",
                "postal": "postal"}
FLAG_TO_FLAG = {
    "dispute": "dispute_open", "cease": "cease_communication", "attorney": "attorney_represented",
    "deceased": "deceased", "bankruptcy": "bankruptcy", "installment_plan": "installment_plan_active",
    "time_barred": "time_barred", "litigation_authorized": "litigation_authorized",
}


PARTIES = frozenset(member.value for member in Party)
__all__ = ["AttemptError", "SqlContactGate", "UnknownAccount"]


class UnknownAccount(LookupError):
    pass


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return _utc(value).isoformat()


class SqlContactGate:
    """The ContactGate port on SQLite or PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        *,
        config: GateConfig | None = None,
        screener: Screener | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.engine = engine
        self.config = config
        self.screener = screener
        self.new_id = new_id

    # -- the port ---------------------------------------------------------------------
    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        with self.engine.begin() as connection:
            raw, facts = self._build(connection, request, language)
            answer = self._judge(raw)
            self._audit(connection, "preview", raw, facts, answer, attempt_id=None)
        return self._verdict(answer, None)

    def reserve(
        self, request: ContactRequest, language: str = "zh", *, connection: Connection | None = None
    ) -> GateVerdict:
        with self._transaction(connection) as tx:
            customer_id = self._customer_of(tx, request.account_id)
            self._lock_debtor(tx, customer_id)
            raw, facts = self._build(tx, request, language)
            answer = self._judge(raw)
            attempt_id = None
            if answer.decision == "allow":
                attempt_id = self.new_id()
                tx.execute(insert(contact_attempts).values(
                    attempt_id=attempt_id, account_id=request.account_id, customer_id=customer_id,
                    contact_point_id=request.contact_point_id, address_hash=facts["address_hash"],
                    channel=request.channel, party=facts["party"], at=_utc(request.at),
                    agent_id=request.agent_id, agency_id=facts["agency_id"],
                    automated=request.automated, purpose=request.purpose,
                ))
            self._audit(tx, "reserve", raw, facts, answer, attempt_id=attempt_id)
        return self._verdict(answer, attempt_id)

    def record_outcome(
        self, attempt_id: str, outcome: str, party: str | None = None, language: str = "zh", *,
        connection: Connection | None = None, completed_at: datetime | None = None,
    ) -> GateVerdict:
        with self._transaction(connection) as tx:
            attempt = self._attempt(tx, attempt_id)
            self._lock_debtor(tx, attempt.customer_id)
            attempt = self._attempt(tx, attempt_id)  # as it is now that no one else records
            if attempt.outcome is not None:
                raise AttemptClosed(f"attempt {attempt_id} is unknown or already has an outcome")
            if outcome not in outcomes_of(attempt.channel):
                raise OutcomeNotPossible(f"a {attempt.channel} attempt cannot have the outcome {outcome!r}")
            request = ContactRequest(attempt.account_id, attempt.channel, _utc(attempt.at), attempt.contact_point_id,
                                     attempt.agent_id, automated=attempt.automated, purpose=attempt.purpose)
            reached = self._reached(tx, attempt, party)
            raw, facts = self._build(tx, request, language, reached=reached, without=attempt_id)
            answer = self._judge(raw, outcome)
            if answer.decision == "allow":
                tx.execute(
                    update(contact_attempts)
                    .where(contact_attempts.c.attempt_id == attempt_id, contact_attempts.c.outcome.is_(None))
                    .values(outcome=outcome, outcome_party=party,
                            completed_at=_utc(completed_at or datetime.now(UTC)))
                )
            self._audit(tx, "outcome", raw, facts, answer, attempt_id=attempt_id)
        return self._verdict(answer, attempt_id)

    @contextmanager
    def _transaction(self, connection: Connection | None) -> Iterator[Connection]:
        """The caller's transaction (the caller commits), or one of our own."""
        if connection is not None:
            yield connection
            return
        with self.engine.begin() as own:
            yield own

    @staticmethod
    def _attempt(connection: Connection, attempt_id: str) -> Any:
        m = contact_attempts.c
        row = connection.execute(
            select(m.attempt_id, m.account_id, m.customer_id, m.contact_point_id, m.channel, m.party, m.at,
                   m.agent_id, m.agency_id, m.automated, m.purpose, m.outcome).where(m.attempt_id == attempt_id)
        ).one_or_none()
        if row is None:
            raise AttemptUnknown(f"attempt {attempt_id} is unknown or already has an outcome")
        return row

    def _reached(self, connection: Connection, attempt: Any, party: str | None) -> dict[str, Any]:
        """Who the attempt reached, as the ledger will count it once recorded (``_entry``)."""
        point = None
        if attempt.contact_point_id is not None:
            p = t.contact_points.c
            point = connection.execute(select(p.owner, p.kind, p.value_hash).where(
                p.contact_point_id == attempt.contact_point_id)).one_or_none()
        to = self._entry(attempt, point, direction="outbound", party=party or attempt.party, automated=None)["to"]
        to = dict(to or {"party": "debtor"})
        if to["party"] not in PARTIES:  # unknown: counted as the debtor (compliance.history.DEBTOR_LIKE)
            to["party"] = "debtor"
        return to

    # -- building the request -----------------------------------------------------------
    def _customer_of(self, connection: Connection, account_id: str) -> str:
        customer = connection.execute(
            select(t.accounts.c.customer_id).where(t.accounts.c.account_id == account_id)
        ).scalar()
        if customer is None:
            raise UnknownAccount(f"unknown account {account_id}")
        return customer

    def _lock_debtor(self, connection: Connection, customer_id: str) -> None:
        """A write first: the row lock (PostgreSQL) or the write lock (SQLite) is held to commit."""
        dialect_insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(debtor_locks).values(customer_id=customer_id, reservations=1)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={"reservations": debtor_locks.c.reservations + 1},
        ))

    def _build(
        self, connection: Connection, request: ContactRequest, language: str, *,
        reached: dict[str, Any] | None = None, without: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The request for ``request`` (to ``reached`` when given: the party an attempt reached)
        and the facts stored with it; the history leaves out attempt ``without``."""
        a, c = t.accounts.c, t.customers.c
        row = connection.execute(
            select(a.account_id, a.customer_id, a.flags, a.agency_id, c.timezone, c.jurisdiction, c.language)
            .join(t.customers, t.customers.c.customer_id == a.customer_id)
            .where(a.account_id == request.account_id)
        ).one_or_none()
        if row is None:
            raise UnknownAccount(f"unknown account {request.account_id}")
        points = connection.execute(
            select(t.contact_points.c.contact_point_id, t.contact_points.c.kind, t.contact_points.c.owner,
                   t.contact_points.c.value_hash, t.contact_points.c.do_not_contact,
                   t.contact_points.c.consent, t.contact_points.c.status)
            .where(t.contact_points.c.customer_id == row.customer_id)
        ).all()
        by_id = {p.contact_point_id: p for p in points}
        to: dict[str, Any] = {"party": "debtor"}
        address_hash = None
        if request.contact_point_id is not None:
            point = by_id.get(request.contact_point_id)
            if point is None:
                raise AttemptError(
                    f"contact point {request.contact_point_id} does not belong to account {request.account_id}"
                )
            address_hash = point.value_hash
            to = {"party": OWNER_TO_PARTY[point.owner], "kind": KIND_TO_KIND[point.kind], "address": address_hash}
        flags: dict[str, Any] = {
            FLAG_TO_FLAG[f]: True for f in (row.flags or "").split(";") if f in FLAG_TO_FLAG
        }
        debtor_points = [p for p in points if p.owner == "debtor"]
        opt_outs = [p.value_hash for p in debtor_points if p.do_not_contact]
        if opt_outs:
            flags["opt_outs"] = opt_outs
        others = [p.value_hash for p in points if p.owner != "debtor" and p.do_not_contact]
        if others:
            flags["third_party_do_not_contact"] = others
        if debtor_points and all(p.status == "invalid" for p in debtor_points if p.kind == "mobile"):
            flags["lost_contact"] = True
        point = by_id.get(request.contact_point_id) if request.contact_point_id else None
        if point is not None and point.consent:
            flags["tcpa_consent"] = True
        agency = None
        if row.agency_id:
            ag = connection.execute(
                select(t.agencies.c.authorized_until, t.agencies.c.last_evaluation)
                .where(t.agencies.c.agency_id == row.agency_id)
            ).one_or_none()
            agency = {"id": row.agency_id,
                      "authorized_until": ag.authorized_until.isoformat() if ag and ag.authorized_until else None,
                      "last_evaluation": ag.last_evaluation.isoformat() if ag and ag.last_evaluation else None}
        raw = {
            "id": f"{request.account_id}:{request.channel}:{_iso(request.at)}",
            "packs": (row.jurisdiction or "CN").split(";"),
            "language": language or row.language,
            "at": _iso(request.at),
            "action": {
                "channel": request.channel,
                "to": reached or to,
                "debt_ids": [request.account_id],
                "automated": request.automated,
                "message": request.message,
                "agent": self._agent(connection, request.agent_id),
                "agency": agency,
                "visitors": [self._agent(connection, v) for v in request.visitors] or None,
                "purpose": request.purpose,
            },
            "debtor": {"id": row.customer_id, "zones": [row.timezone], "flags": flags},
            "history": self._history(connection, row.customer_id, by_id, request.at, without),
        }
        facts = {"customer_id": row.customer_id, "party": to["party"], "address_hash": address_hash,
                 "agency_id": row.agency_id}
        return raw, facts

    def _agent(self, connection: Connection, agent_id: str | None) -> dict[str, Any] | None:
        if agent_id is None:
            return None
        until = connection.execute(
            select(t.agents.c.training_valid_until).where(t.agents.c.agent_id == agent_id)
        ).scalar()
        return {"id": agent_id, "training_valid_until": until.isoformat() if until else None}

    def _history(
        self, connection: Connection, customer_id: str, points: dict[str, Any], at: datetime, without: str | None
    ) -> list[dict[str, Any]]:
        since, until = _utc(at) - timedelta(days=HISTORY_DAYS), _utc(at) + timedelta(days=1)  # the whole local day
        k = t.contacts.c
        rows = connection.execute(
            select(k.at, k.channel, k.direction, k.contact_point_id, k.party, k.outcome, k.account_id, k.agency_id)
            .where(k.customer_id == customer_id, k.at >= since, k.at <= until)
        ).all()
        m = contact_attempts.c
        attempts = connection.execute(
            select(m.at, m.channel, m.contact_point_id, m.party, m.outcome, m.outcome_party, m.account_id,
                   m.agency_id, m.automated)
            .where(m.customer_id == customer_id, m.at >= since, m.at <= until, m.attempt_id != (without or ""))
        ).all()
        history = [self._entry(r, points.get(r.contact_point_id), direction=r.direction, party=r.party,
                               automated=None) for r in rows]
        history += [self._entry(r, points.get(r.contact_point_id), direction="outbound",
                                party=r.outcome_party or r.party, automated=r.automated)
                    for r in attempts]
        history.sort(key=lambda e: e["at"])
        return history

    @staticmethod
    def _entry(
        row: Any, point: Any, *, direction: str | None, party: str | None, automated: bool | None
    ) -> dict[str, Any]:
        """One history entry of compliance-check-v1 from a stored contact or attempt row."""
        to: dict[str, Any] | None = None
        if point is not None:
            to = {"party": OWNER_TO_PARTY[point.owner], "kind": KIND_TO_KIND[point.kind], "address": point.value_hash}
        elif party:
            to = {"party": party}
        if to is not None and party in ("debtor", "spouse", "guarantor", "emergency_contact", "third_party"):
            to["party"] = party
        entry: dict[str, Any] = {"at": _iso(row.at), "channel": row.channel,
                                 "direction": direction or "outbound", "debt_ids": [row.account_id],
                                 "to": to, "outcome": row.outcome, "agency_id": row.agency_id}
        if automated is not None:
            entry["automated"] = automated
        return entry

    # -- judging and auditing -----------------------------------------------------------
    def _judge(self, raw: dict[str, Any], outcome: str | None = None) -> Answer:
        """The proposed contact's answer; with ``outcome``, the made contact's, as it turned out."""
        try:
            request = parse_request(raw)
        except RequestError as error:  # stored data that the contract refuses: never a guess
            return Answer(id=raw["id"], decision=Decision.DENY, rules=["DATA-INVALID"],
                          reasons=[f"stored data cannot be judged: {error}"], warnings=[])
        if outcome is not None:
            return check_outcome(request, outcome, config=self.config)
        return check(request, screener=self.screener, config=self.config)

    def _audit(self, connection: Connection, mode: str, raw: dict[str, Any], facts: dict[str, Any],
               answer: Answer, *, attempt_id: str | None) -> None:
        digest = hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        connection.execute(insert(compliance_decisions).values(
            decided_for=datetime.fromisoformat(raw["at"]), mode=mode, request_digest=digest,
            request_id=raw["id"], account_id=raw["action"]["debt_ids"][0], customer_id=facts["customer_id"],
            channel=raw["action"]["channel"], agent_id=(raw["action"]["agent"] or {}).get("id"),
            pack_versions=json.dumps(answer.pack_versions or {}), decision=str(answer.decision),
            rules=json.dumps(answer.rules), reasons=json.dumps(answer.reasons, ensure_ascii=False),
            warnings=json.dumps(answer.warnings, ensure_ascii=False), attempt_id=attempt_id,
        ))

    @staticmethod
    def _verdict(answer: Answer, attempt_id: str | None) -> GateVerdict:
        return GateVerdict(
            decision=str(answer.decision), rules=tuple(answer.rules), reasons=tuple(answer.reasons),
            warnings=tuple(answer.warnings),
            pack_versions=tuple(f"{k}={v}" for k, v in (answer.pack_versions or {}).items()),
            attempt_id=attempt_id,
        )
