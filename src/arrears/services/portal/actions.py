"""What the customer does on their page, each through the same use cases and rules as the
workbench and /v1, audited with the customer as the actor (``customer:<id>``):

- choose a plan: ``approvals.book`` → ``agree_plan`` (ARR-PLAN rules, affordability, approval
  limits), among the offers of ``page.offers`` only, signed by the self-service policy with
  the least authority (a collector's), so nothing beyond it is booked;
- promise a payment: ``promises.record_promise`` (ARR-PTP-01..03), the promise taken on the channel
  the customer's code came by;
- set preferences: stored (the planner reads them over the portfolio's), and an opt-out marks the
  customer's own contact points of that channel do-not-contact, as an SMS opt-out reply does,
  so the gate denies the channel from the next decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.domain.arrangements.approvals import LEAST_AUTHORITY
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseError, PromiseToPay
from arrears.domain.money import Money, MoneyError, parse_typed_amount
from arrears.domain.portal import OPT_OUT_KINDS, PortalInputError, Preferences, Refusal, preferences_of
from arrears.domain.vocabulary import Channel
from arrears.services.arrangements import approvals, plans, promises
from arrears.services.arrangements.common import ArrangementRefused, Signer, new_id
from arrears.services.portal.context import Portal, PortalRefused, customer_actor
from arrears.services.portal.page import first_due, offers
from arrears.services.portal.ports import Session

SELF_SERVICE = "self-service"  # the approver of a plan the customer chose among the policy's offers


def _input(error: PortalInputError) -> PortalRefused:
    return PortalRefused(Refusal("PORTAL-INPUT-01", error.zh, error.en), error.field, status=422)


def _refused(error: ArrangementRefused) -> PortalRefused:
    d = error.decision
    return PortalRefused(Refusal(d.rule_id, d.reason_zh, d.reason_en), d.field or "", status=422)


def _months(text: str | int, portal: Portal, session: Session) -> int:
    try:
        months = int(str(text).strip())
    except ValueError:
        raise _input(PortalInputError("请选择期数", "choose a number of months", "months")) from None
    if months not in offers(portal, session.account_id, active=False):  # an active plan: ARR-PLAN-01
        raise PortalRefused(Refusal("PORTAL-PLAN-01", f"{months} 期不在可选方案之内",
                                    f"{months} months is not among the plans on offer"), "months")
    return months


def choose_plan(portal: Portal, session: Session, months: str | int) -> InstallmentPlan:
    """Book the plan of ``months`` the customer chose: the same booking as the workbench's."""
    chosen = _months(months, portal, session)
    command = plans.AgreePlan(new_id("PL"), session.account_id, chosen, first_due(portal),
                              fee_policy=portal.policy.plan_fee, agreement_form="self_service",
                              agreement_ref=f"PORTAL-{session.link_id}")
    try:
        booked = approvals.book(portal.arrangements(), portal.portfolio, command,
                                maker=customer_actor(session.customer_id),
                                approver=Signer(SELF_SERVICE, LEAST_AUTHORITY), now=portal.now(),
                                policies=portal.policies)
    except ArrangementRefused as error:
        raise _refused(error) from None
    assert isinstance(booked, InstallmentPlan)
    return booked


def promise_payment(portal: Portal, session: Session, amount: str, when: str) -> PromiseToPay:
    """Record the customer's promise (amount and date within the promise rules)."""
    account = portal.portfolio.account(session.account_id)
    currency = account.balance.currency if account is not None else "CNY"
    try:
        value = Money(parse_typed_amount(amount or ""), currency)
    except (MoneyError, ValueError):
        raise _input(PortalInputError("金额应写作 1500 或 1,500.00", "an amount like 1500 or 1,500.00",
                                      "amount")) from None
    try:
        day = date.fromisoformat((when or "").strip())
    except ValueError:
        raise _input(PortalInputError("日期应写作 2026-12-20", "a date like 2026-12-20", "date")) from None
    try:
        promise = PromiseToPay.taken(promise_id=new_id("PTP"), account_id=session.account_id, amount=value,
                                     promised_date=day, channel=Channel(session.channel),
                                     taken_by=customer_actor(session.customer_id), made_at=portal.now(),
                                     zone=portal.policies.zone, policy=portal.policies.promise)
    except PromiseError:
        promise = PromiseToPay(new_id("PTP"), session.account_id, value, day, Channel(session.channel),
                               customer_actor(session.customer_id), portal.now(), portal.today())
    try:
        return promises.record_promise(portal.arrangements(), portal.portfolio, promise,
                                       actor=customer_actor(session.customer_id), now=portal.now(),
                                       policies=portal.policies)
    except ArrangementRefused as error:
        raise _refused(error) from None


@dataclass(frozen=True, slots=True)
class PreferencesSet:
    preferences: Preferences
    opted_out_points: int


def set_preferences(portal: Portal, session: Session, channel: str | None, hours: str | None,
                    opt_out: str | None) -> PreferencesSet:
    """Store the customer's preferences; an opt-out marks their own points of that channel do-not-contact."""
    now = portal.now()
    with portal.unit_of_work() as uow:
        before = uow.preferences.get(session.customer_id)
        try:
            chosen = preferences_of(channel, hours, opt_out, before)
        except PortalInputError as error:
            raise _input(error) from None
        uow.preferences.save(session.customer_id, chosen, session.link_id, now)
        marked = uow.customers.opt_out(session.customer_id, OPT_OUT_KINDS[opt_out.strip()]) if opt_out and \
            opt_out.strip() else 0
        uow.audit.append(AuditEntry(
            now, customer_actor(session.customer_id), "portal.preferences", f"account:{session.account_id}",
            _said(before), _said(chosen),
            {"account_id": session.account_id, "link_id": session.link_id, "opted_out_points": marked}))
        uow.commit()
    return PreferencesSet(chosen, marked)


def _said(preferences: Preferences | None) -> str:
    if preferences is None:
        return "none"
    return (f"channel {preferences.channel or '-'}; hours {preferences.hours or '-'}; "
            f"opted out {','.join(preferences.opted_out) or '-'}")
