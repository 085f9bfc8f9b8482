"""What a collector may change on a customer's contact points (issue 16): add a number or an
address the customer gives, mark one wrong, record a consent given or withdrawn.

A change is a new ``PointState`` (owner, status, consent, do-not-contact), the portfolio's words
(portfolio-v1 contact_points), so that everything that already reads those columns (the gate,
the planner, the account page) follows it without knowing about the workbench:

- a *wrong number* (someone else answers: not the debtor's) belongs to a third party who is not
  to be called again: owner ``other``, ``do_not_contact``, status ``invalid``; the gate then
  judges a contact on it as one to a third party who asked not to be contacted, and the planner
  plans only the debtor's own usable numbers;
- a number *not in service* (空号、停机) is ``invalid``: no plan uses it, the page cannot choose it;
- a *consent* is the contract's ``consent`` of that point (TCPA for a US mobile, e-mail for a US
  address, contact at work, an emergency contact's consent in CN): what it permits follows from
  the point's kind and owner (``consent_scope``); the date and the way it was given are kept with
  the change.

Pure: no IO, no clock (``today`` is an argument).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from arrears.domain.vocabulary import ContactKind, ContactPointStatus, Owner


class PointChange(StrEnum):
    ADDED = "added"
    MARKED_WRONG = "marked_wrong"
    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class WrongReason(StrEnum):
    WRONG_NUMBER = "wrong_number"  # someone else answers: the number is not the debtor's
    NOT_IN_SERVICE = "not_in_service"  # 空号、停机: nobody can be reached on it


class ConsentMethod(StrEnum):
    """How a consent was given (or withdrawn)."""

    RECORDED_CALL = "recorded_call"  # said on a recorded call
    WRITTEN = "written"  # signed or written (a form, a letter)
    SMS_REPLY = "sms_reply"
    EMAIL_REPLY = "email_reply"
    IN_PERSON = "in_person"  # at a branch or a visit


class ConsentScope(StrEnum):
    """What a consent on a contact point permits, by the point's kind and owner."""

    MOBILE_CALLS_AND_TEXTS = "mobile_calls_and_texts"  # US TCPA prior express consent (incl. automated)
    EMAIL = "email"  # US Reg F 1006.6(d)(4): e-mail to this address
    WORK = "work"  # contact at the place of work
    THIRD_PARTY = "third_party"  # a contact person agreed to be contacted (CN emergency contact)
    CALLS = "calls"  # a home number


# the kinds a collector may add (a postal address comes with the portfolio)
ADDABLE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK, ContactKind.EMAIL)
PHONE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)


@dataclass(frozen=True, slots=True)
class PointState:
    """The columns of a contact point that a change may set."""

    owner: str
    status: str
    consent: bool | None
    do_not_contact: bool

    @property
    def usable(self) -> bool:
        """May be used at all (the page, the planner): neither do-not-contact nor known wrong."""
        return not self.do_not_contact and self.status != ContactPointStatus.INVALID


class PointRefused(ValueError):
    """A change the rules refuse, worded in both languages, with the form field it concerns."""

    def __init__(self, zh: str, en: str, field: str) -> None:
        super().__init__(en)
        self.zh, self.en, self.field = zh, en, field


def given_by_customer(owner: Owner) -> PointState:
    """A number or an address the customer gives now: valid, no consent recorded yet."""
    return PointState(owner.value, ContactPointStatus.VALID.value, None, False)


def marked_wrong(state: PointState, reason: WrongReason) -> PointState:
    if state.status == ContactPointStatus.INVALID and (reason != WrongReason.WRONG_NUMBER or state.do_not_contact):
        raise PointRefused("该联系方式已标记为错误", "this contact point is already marked wrong", "reason")
    if reason == WrongReason.WRONG_NUMBER:
        return PointState(Owner.OTHER.value, ContactPointStatus.INVALID.value, None, True)
    return replace(state, status=ContactPointStatus.INVALID.value)


def with_consent(state: PointState, given: bool, given_on: date, today: date) -> PointState:
    """The consent given (or withdrawn) on ``given_on``: not in the future, and never on a point
    that may not be used (a wrong number, one whose owner asked not to be contacted)."""
    if given_on > today:
        raise PointRefused("同意日期不能晚于今天", "the consent date cannot be after today", "given_on")
    if given and not state.usable:
        raise PointRefused("该联系方式已标记为错误或不再联系，不能记录同意",
                           "this contact point is marked wrong or do-not-contact: no consent can be recorded on it",
                           "contact_point_id")
    if not given and not state.consent:
        raise PointRefused("该联系方式没有记录同意，无法撤回",
                           "no consent is recorded on this contact point to withdraw", "consent")
    return replace(state, consent=given)


def consent_scope(kind: str, owner: str) -> ConsentScope:
    """What a consent on a point of ``kind`` owned by ``owner`` permits."""
    if owner != Owner.DEBTOR:
        return ConsentScope.THIRD_PARTY
    return {ContactKind.MOBILE: ConsentScope.MOBILE_CALLS_AND_TEXTS, ContactKind.EMAIL: ConsentScope.EMAIL,
            ContactKind.WORK: ConsentScope.WORK}.get(ContactKind(kind), ConsentScope.CALLS)
