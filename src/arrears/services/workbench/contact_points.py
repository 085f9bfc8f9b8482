"""A customer's contact points, changed by a collector on the account page (issue 16): a number or
an e-mail address the customer gives (``add_point``), a number marked wrong (``mark_wrong``), a
consent given or withdrawn (``record_consent``). Each is one transaction: the point, the record of
the change and the audit row (the collector as actor), or nothing.

A number is read with ``phonenumbers`` as one of the customer's own country (CN, US, GB) and
stored in E.164 as ingest stores numbers, so search finds it in any spelling and the gate and the
planner match it like any other. What each change means for the gate and the planner is said in
``domain.contact_points``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import Connection

from arrears.adapters.storage import contact_points_repository as repository
from arrears.adapters.storage.contact_points_repository import Change, NewPoint
from arrears.domain.access import Permission
from arrears.domain.cases import base_jurisdictions
from arrears.domain.contact_points import (
    ADDABLE_KINDS,
    ConsentMethod,
    PointChange,
    PointRefused,
    PointState,
    WrongReason,
    consent_scope,
    given_by_customer,
    marked_wrong,
    with_consent,
)
from arrears.domain.vocabulary import ContactKind, ContactSource, Owner
from arrears.services.portfolio_files.rules import EMAIL_RE, phone_text
from arrears.services.workbench import audit
from arrears.services.workbench.accounts import visible_account
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import Conflict, InvalidInput, NotFound
from arrears.services.workbench.principal import Principal

REGION_OF = {"CN": "CN", "US": "US", "UK": "GB"}  # a customer's base jurisdiction -> phonenumbers' region
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass(frozen=True)
class AddPoint:
    """The command: a number or an address the customer gives (owner: the debtor or a named third party)."""

    kind: str
    value: str
    owner: str = Owner.DEBTOR.value
    relation: str | None = None  # who a third party is (父亲, 同事); required for one


@dataclass(frozen=True)
class RecordConsent:
    contact_point_id: str
    given: bool  # False: withdrawn
    method: str
    given_on: date | None = None  # None: today


E = TypeVar("E", ContactKind, Owner, WrongReason, ConsentMethod)


def _choice(value: str | None, vocabulary: type[E], name: str, allowed: tuple[E, ...] | None = None) -> E:
    options = allowed or tuple(vocabulary)
    try:
        chosen = vocabulary(value or "")
    except ValueError:
        chosen = None
    if chosen not in options:
        listed = ", ".join(o.value for o in options)
        raise InvalidInput(f"{name} 取值无效（可选 {listed}）", f"{name} is not one of {listed}", name)
    return chosen  # type: ignore[return-value]


def region_of(jurisdiction: str | None) -> str:
    return REGION_OF.get(base_jurisdictions(jurisdiction)[0], "CN")


def normalised_value(kind: ContactKind, text: str, jurisdiction: str | None) -> str:
    """The value as ingest stores it (E.164; a lower-case e-mail address), or InvalidInput saying why."""
    text = (text or "").strip()
    if kind == ContactKind.EMAIL:
        if len(text) > 200 or not re.fullmatch(EMAIL_RE, text):
            raise InvalidInput("不是有效的电子邮件地址", "not an e-mail address", "value")
        return text.lower()
    region = region_of(jurisdiction)
    e164 = phone_text(text, region) if len(text) <= 40 else None
    if e164 is None:
        raise InvalidInput(f"不是有效的电话号码（按 {region} 号码或带国家码的 +… 格式）",
                           f"not a valid phone number (a {region} number, or +country code…)", "value")
    if kind == ContactKind.MOBILE and phonenumbers.number_type(phonenumbers.parse(e164)) not in _MOBILE_TYPES:
        raise InvalidInput("这不是手机号码（请选择住宅或单位电话）",
                           "this is not a mobile number (choose home or work)", "value")
    return e164


def _refused(refusal: PointRefused) -> InvalidInput:
    return InvalidInput(refusal.zh, refusal.en, refusal.field)


def add_point(wb: Workbench, principal: Principal, account_id: str, command: AddPoint) -> dict[str, Any]:
    """Store a number or an address the customer gives (source ``customer_update``), audited."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    kind = _choice(command.kind, ContactKind, "kind", ADDABLE_KINDS)
    owner = _choice(command.owner, Owner, "owner")
    relation = (command.relation or "").strip() or None
    if owner != Owner.DEBTOR and relation is None:
        raise InvalidInput("第三人的联系方式须写明与债务人的关系（例如 父亲、同事）",
                           "a third party's contact point needs their relation to the debtor (e.g. father, colleague)",
                           "relation")
    if relation is not None and len(relation) > 50:
        raise InvalidInput("关系最多 50 个字", "the relation holds at most 50 characters", "relation")
    with wb.engine.begin() as connection:
        value = normalised_value(kind, command.value, repository.jurisdiction_of(connection, account["customer_id"]))
        point = NewPoint(f"wb-{uuid.uuid4().hex[:16]}", account["customer_id"], kind.value, value, relation,
                         ContactSource.CUSTOMER_UPDATE.value, given_by_customer(owner))
        if repository.has_value(connection, point.customer_id, wb.cipher.lookup_hash(value)):
            raise Conflict("该客户已有这个联系方式", "the customer already has this contact point", "value")
        repository.add_point(connection, wb.cipher, point)
        _changed(connection, principal, Change(point.contact_point_id, point.customer_id, account_id,
                                               PointChange.ADDED, point.state, principal.username, wb.now()),
                 point_kind=kind.value, source=point.source)
    return {"contact_point_id": point.contact_point_id, "kind": kind.value, "owner": owner.value}


def mark_wrong(wb: Workbench, principal: Principal, account_id: str, contact_point_id: str,
               reason: str) -> dict[str, Any]:
    """The number is wrong (someone else answers) or not in service: the gate and the planner stop using it."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    why = _choice(reason, WrongReason, "reason")
    with wb.engine.begin() as connection:
        point = _point(connection, account["customer_id"], contact_point_id)
        try:
            state = marked_wrong(_state_of(point), why)
        except PointRefused as refusal:
            raise _refused(refusal) from None
        _changed(connection, principal, Change(contact_point_id, account["customer_id"], account_id,
                                               PointChange.MARKED_WRONG, state, principal.username, wb.now(),
                                               reason=why.value),
                 point_kind=point["kind"], owner_before=point["owner"])
    return {"contact_point_id": contact_point_id, "status": state.status, "owner": state.owner,
            "do_not_contact": state.do_not_contact}


def record_consent(wb: Workbench, principal: Principal, account_id: str, command: RecordConsent) -> dict[str, Any]:
    """A consent given (or withdrawn) on a point, with the day and the way it was given."""
    principal.require(Permission.LOG_CONTACT)
    account = visible_account(wb, principal, account_id)
    method = _choice(command.method, ConsentMethod, "method")
    given_on = command.given_on or wb.today()
    with wb.engine.begin() as connection:
        point = _point(connection, account["customer_id"], command.contact_point_id)
        try:
            state = with_consent(_state_of(point), command.given, given_on, wb.today())
        except PointRefused as refusal:
            raise _refused(refusal) from None
        scope = consent_scope(point["kind"], point["owner"])
        change = PointChange.CONSENT_GIVEN if command.given else PointChange.CONSENT_WITHDRAWN
        _changed(connection, principal, Change(command.contact_point_id, account["customer_id"], account_id, change,
                                               state, principal.username, wb.now(), consent_method=method.value,
                                               consent_scope=scope.value, consent_on=given_on),
                 point_kind=point["kind"])
    return {"contact_point_id": command.contact_point_id, "consent": state.consent, "scope": scope.value,
            "method": method.value, "given_on": given_on}


def point_changes(wb: Workbench, principal: Principal, account_id: str) -> dict[str, list[dict[str, Any]]]:
    """The changes made here to the account's customer's points, newest first, by point."""
    account = visible_account(wb, principal, account_id)
    with wb.engine.connect() as connection:
        changes = repository.changes_of(connection, account["customer_id"])
    by_point: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_point.setdefault(change["contact_point_id"], []).append(change)
    return by_point


def _point(connection: Connection, customer_id: str, contact_point_id: str) -> dict[str, Any]:
    point = repository.point_of(connection, customer_id, contact_point_id or "")
    if point is None:
        raise NotFound("该账户没有这个联系方式", "no such contact point on this account", "contact_point_id")
    return point


def _state_of(point: dict[str, Any]) -> PointState:
    return PointState(point["owner"], point["status"], point["consent"], bool(point["do_not_contact"]))


def _changed(connection: Connection, principal: Principal, change: Change, **detail: Any) -> None:
    """The change recorded on the point and in its history, and audited with the collector as actor."""
    repository.record_change(connection, change)
    state = change.state
    audit.record(connection, change.at, f"point.{change.change.value}", principal, account_id=change.account_id,
                 contact_point_id=change.contact_point_id, reason=change.reason, consent_method=change.consent_method,
                 consent_scope=change.consent_scope, consent_on=change.consent_on, status=state.status,
                 owner=state.owner, consent=state.consent, do_not_contact=state.do_not_contact, **detail)
