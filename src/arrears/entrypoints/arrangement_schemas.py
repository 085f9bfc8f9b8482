"""The outward shape of arrangements and their approval requests (API responses and the CLI's
``--json``): money as strings to the fen ("1200.00"), rates as decimal text, enums as their
values, dates as ISO text.

Each response model is made by ``model`` from the domain dataclasses it shows: it names the
attributes shown, in order, and takes their types from the dataclasses (a field or a
property; the first class that has it); ``shown`` fills any model from the same objects. Only
what is not an attribute of them (``currency``, a view's extras) is named by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, create_model

from arrears.domain.arrangements.approvals import Approval
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import Balances
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseHistory, PromiseToPay
from arrears.domain.arrangements.schedule import Installment, Schedule
from arrears.domain.arrangements.settlements import Settlement, SettlementPayment
from arrears.domain.money import MINOR_UNIT, Money
from arrears.services.arrangements.accounts import AccountArrangements
from arrears.services.arrangements.approvals import Arrangement
from arrears.services.arrangements.payments import PaymentOutcome
from arrears.services.arrangements.plans import PlanView
from arrears.services.arrangements.promises import AccountPromiseHistory

Shown = str | None  # money, rates and enums, as text


def fen(money: Money) -> str:
    """Money as text to the fen: "1000.00"."""
    return str(money.amount.quantize(MINOR_UNIT))


@cache
def _hint(cls: type, name: str) -> Any:
    attribute = getattr(cls, name, None)
    if isinstance(attribute, property) and attribute.fget is not None:
        return get_type_hints(attribute.fget)["return"]
    return get_type_hints(cls).get(name)


def _outward(hint: Any) -> Any:
    """The type shown for a domain type: money, decimals and enums as text."""
    args = get_args(hint)
    if get_origin(hint) in (Union, UnionType) and NoneType in args:
        return _outward(next(a for a in args if a is not NoneType)) | None
    if isinstance(hint, type) and issubclass(hint, Money | Decimal | Enum):
        return str
    return hint


def _fields_shown(cls: type, drop: str) -> list[str]:
    """The dataclass's fields but those in ``drop``, with ``currency`` after its first money."""
    names: list[str] = []
    for f in fields(cls):
        if f.name not in drop.split():
            money = isinstance(hint := _hint(cls, f.name), type) and issubclass(hint, Money)
            names += [f.name, "currency"] if money and "currency" not in names else [f.name]
    return names


def model(name: str, sources: tuple[type, ...], shown: str = "", doc: str | None = None, *, drop: str = "",
          **given: Any) -> type[BaseModel]:
    """A response model showing the attributes named in ``shown`` (space-separated, in order;
    blank: every field of the first source but those in ``drop``, then the ``given`` ones),
    typed from the first of ``sources`` that has each; ``given`` types the others, as a type or
    a (type, default) pair. ``currency`` is the currency of the objects' money."""
    if not shown:
        shown = " ".join([*_fields_shown(sources[0], drop), *(n for n in given if n not in drop.split())])
    declared: dict[str, Any] = {}
    for attribute in shown.split():
        if attribute in given:
            declared[attribute] = given[attribute] if isinstance(given[attribute], tuple) else (given[attribute], ...)
        elif attribute == "currency":
            declared[attribute] = (str, ...)
        else:
            hint = next(h for s in sources if (h := _hint(s, attribute)) is not None)
            declared[attribute] = (_outward(hint), ...)
    return create_model(name, __doc__=doc, **declared)


def many(kind: type[BaseModel]) -> Any:
    """A list of ``kind`` (a model made by ``model``), as a type."""
    return list.__class_getitem__(kind)


def _value(value: Any) -> Any:
    if isinstance(value, Money):
        return fen(value)
    if isinstance(value, Decimal | Enum):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def shown(kind: type[BaseModel], *objects: Any, **given: Any) -> Any:
    """``kind`` filled from ``objects`` (each attribute from the first that has it) and ``given``."""
    values: dict[str, Any] = {}
    for name in kind.model_fields:
        if name in given:
            values[name] = given[name]
        elif name == "currency":
            values[name] = next(v.currency for o in objects for f in fields(o) if isinstance(v := getattr(o, f.name),
                                                                                             Money))
        elif any(hasattr(o, name) for o in objects):
            values[name] = _value(next(getattr(o, name) for o in objects if hasattr(o, name)))
    return kind(**values)


def _each(kind: type[BaseModel], items: Any) -> list[Any]:
    return [shown(kind, item) for item in items]


BalancesOut = model("BalancesOut", (Balances,), "currency fees interest principal owed past_due credit "
                    "oldest_unpaid_due_date")
InstallmentOut = model("InstallmentOut", (Installment,), "number due_date principal fee interest total paid status",
                       paid=(Shown, None), status=(Shown, None))
PlanOut = model("PlanOut", (InstallmentPlan, Schedule),
                "plan_id account_id basis status currency principal months first_due fee_kind fee_rate total_due "
                "proposed_by approved_by agreement_ref agreement_sha256 activated_on closed_on as_of derived_status "
                "installments", fee_kind=str, fee_rate=str, agreement_ref=Shown, agreement_sha256=Shown,
                as_of=(date | None, None), derived_status=(Shown, None), installments=many(InstallmentOut))
PromiseOut = model("PromiseOut", (PromiseToPay,), drop="made_on", status=(Shown, None), source=(Shown, None))
PromiseHistoryOut = model("PromiseHistoryOut", (AccountPromiseHistory, PromiseHistory),
                          "account_id as_of made open kept partly_kept broken kept_ratio promises",
                          promises=many(PromiseOut))
SettlementPaymentOut = model("SettlementPaymentOut", (SettlementPayment,), "number due_date amount")
SettlementOut = model("SettlementOut", (Settlement,), "settlement_id account_id status currency balance discount "
                      "amount forgiven offered_by approved_by approver_role accepted_on closed_on payments",
                      payments=many(SettlementPaymentOut))
ExtensionOut = model("ExtensionOut", (Extension,), "extension_id account_id subject original_due new_due days "
                     "granted_by")
HardshipOut = model("HardshipOut", (HardshipProgramme,), drop="enrolled_at")
ReferralOut = model("ReferralOut", (Referral,), drop="referred_at")
PaymentOutcomeOut = model("PaymentOutcomeOut", (PaymentOutcome,), "changed events effects balances",
                          events=list[str], effects=list[str], balances=(BalancesOut | None, None))
AccountArrangementsOut = model(
    "AccountArrangementsOut", (AccountArrangements,), "account_id balances promises plans settlements extensions "
    "hardship referrals", balances=BalancesOut | None, promises=many(PromiseOut), plans=many(PlanOut),
    settlements=many(SettlementOut), extensions=many(ExtensionOut), hardship=many(HardshipOut),
    referrals=many(ReferralOut))
PendingApprovalOut = model("PendingApprovalOut", (Approval, Decision), "approval_id status kind account_id "
                           "required_authority rule_id reason_zh reason_en",
                           "202: the request waits for a second user whose authority covers it; nothing is booked.")
ApprovalOut = model("ApprovalOut", (Approval,), "approval_id kind account_id parameters maker required_authority "
                    "status decided_by decided_at reason created_at", parameters=dict[str, str], decided_by=Shown)
ApprovedOut = model("ApprovedOut", (), "approval plan settlement extension",
                    "The approved request and the arrangement it booked (one of plan, settlement, extension).",
                    approval=ApprovalOut,
                    plan=(PlanOut | None, None), settlement=(SettlementOut | None, None),
                    extension=(ExtensionOut | None, None))



REFUSED_OR_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "refused by a rule (the decision), or not valid (where): the error envelope"},
}


def plan_out(plan: InstallmentPlan, view: PlanView | None = None) -> Any:
    progress = {p.installment.number: p for p in view.progress} if view else {}
    rows = [shown(InstallmentOut, i, **({"paid": fen(p.paid), "status": str(p.status)} if (p := progress.get(
        i.number)) else {})) for i in plan.schedule.installments]
    agreement = plan.agreement
    return shown(PlanOut, plan, plan.schedule, fee_kind=str(plan.schedule.policy.kind),
                 fee_rate=str(plan.schedule.policy.rate), installments=rows,
                 agreement_ref=agreement.document_ref if agreement else None,
                 agreement_sha256=agreement.document_sha256 if agreement else None,
                 as_of=view.as_of if view else None, derived_status=str(view.derived_status) if view else None)


def promise_history_out(h: AccountPromiseHistory) -> Any:
    promises = [shown(PromiseOut, o.promise, status=str(o.status), source=o.source) for o in h.promises]
    return shown(PromiseHistoryOut, h, h.summary, promises=promises)


def settlement_out(s: Settlement) -> Any:
    return shown(SettlementOut, s, payments=_each(SettlementPaymentOut, s.payments))


def outcome_out(o: PaymentOutcome) -> Any:
    return shown(PaymentOutcomeOut, o, events=[type(e).__name__ for e in o.ledger_events],
                 effects=[_effect(e) for e in o.effects], balances=shown(BalancesOut, o.balances))


def _effect(event: object) -> str:
    subject = getattr(event, "plan_id", None) or getattr(event, "promise_id", None)
    subject = subject or getattr(event, "settlement_id", "")
    number = getattr(event, "number", None)
    return f"{type(event).__name__}:{subject}" + (f"#{number}" if number is not None else "")


def account_arrangements_out(a: AccountArrangements) -> Any:
    return shown(AccountArrangementsOut, a, balances=None if a.balances is None else shown(BalancesOut, a.balances),
                 promises=_each(PromiseOut, a.promises), plans=[plan_out(p) for p in a.plans],
                 settlements=[settlement_out(s) for s in a.settlements], extensions=_each(ExtensionOut, a.extensions),
                 hardship=_each(HardshipOut, a.hardship), referrals=_each(ReferralOut, a.referrals))


def approval_out(a: Approval) -> Any:
    return shown(ApprovalOut, a, decided_by=a.decided_by or None)


def approved_out(approval: Approval, booked: Arrangement | None) -> Any:
    extra: dict[str, Any] = {}
    if isinstance(booked, InstallmentPlan):
        extra["plan"] = plan_out(booked)
    elif isinstance(booked, Settlement):
        extra["settlement"] = settlement_out(booked)
    elif isinstance(booked, Extension):
        extra["extension"] = shown(ExtensionOut, booked)
    return shown(ApprovedOut, approval=approval_out(approval), **extra)


def schedule_as_json(schedule: Schedule) -> dict[str, object]:
    """A quote: the schedule with money as strings ("1000.00") and dates as ISO text."""
    rows = [{**shown(InstallmentOut, row).model_dump(mode="json", exclude={"paid", "status"})}
            for row in schedule.installments]
    return {
        "currency": schedule.principal.currency,
        "principal": fen(schedule.principal),
        "months": schedule.months,
        "first_due": schedule.first_due.isoformat(),
        "fee_policy": {"kind": str(schedule.policy.kind), "rate": str(schedule.policy.rate)},
        "installments": rows,
        "totals": {"principal": fen(schedule.total_principal), "fee": fen(schedule.total_fee),
                   "interest": fen(schedule.total_interest), "total": fen(schedule.total_due)},
    }

