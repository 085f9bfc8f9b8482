"""Labels for the codes the pages show (channels, outcomes, roles, flags...): each code is a
Babel message with the code list's name as its context (``pgettext("channel", "call")``), in the
Chinese catalogue and in the English one, so no page shows a raw code in either language.
``CODE_LISTS`` names every list a page may show; a test checks both catalogues cover it."""

from __future__ import annotations

from enum import StrEnum

from babel.support import NullTranslations

from arrears.compliance.outcome import Verdict
from arrears.compliance.packs import PACK_ORDER, load_pack
from arrears.compliance.request import Decision
from arrears.domain.access import Permission, Role
from arrears.domain.arrangements.approvals import ApprovalKind, ApprovalStatus, Authority
from arrears.domain.arrangements.counselling import ReferralOutcome
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.contact_points import ConsentMethod, ConsentScope, WrongReason
from arrears.domain.vocabulary import (
    INBOUND_OUTCOMES_OF_CHANNEL,
    PLANNED_CHANNELS,
    AccountFlag,
    AccountStatus,
    Channel,
    ContactKind,
    ContactPointStatus,
    ContactSource,
    Direction,
    Jurisdiction,
    Language,
    Outcome,
    Owner,
    Party,
    Segment,
)
from arrears.domain.work_queue import QueueReason, ReasonKind, SkipReason
from arrears.planning.strategy import Offer

CODE_LISTS: dict[str, tuple[str, ...]] = {
    name: tuple(str(member) for member in codes) for name, codes in {
        "channel": Channel, "preferred_channel": PLANNED_CHANNELS, "outcome": Outcome, "party": Party,
        "contact_kind": ContactKind, "owner": Owner, "point_status": ContactPointStatus, "source": ContactSource,
        "account_status": AccountStatus, "flag": AccountFlag, "segment": Segment, "role": Role,
        "permission": Permission, "language": Language, "jurisdiction": Jurisdiction, "direction": Direction,
        "decision": Decision, "skip_reason": SkipReason, "offer": Offer, "wrong_reason": WrongReason,
        "consent_method": ConsentMethod, "consent_scope": ConsentScope,
        "approval_kind": ApprovalKind, "approval_status": ApprovalStatus, "authority": Authority,
        "plan_basis": PlanBasis, "hardship_kind": HardshipKind, "referral_outcome": ReferralOutcome,
    }.items()
} | {
    "product": ("credit_card",),
    "case_kind": ("dispute", "hardship", "complaint"),  # domain.cases.CaseKind
    "case_status": ("open", "in_progress", "resolved", "rejected"),  # domain.cases.CaseStatus
    "raised_by": ("customer", "staff"),  # domain.cases.RaisedBy
    "record_source": ("workbench", "portfolio"),  # where a contact row came from
    "audit_source": ("access", "arrangements", "gate"),  # the three logs of the audit trail
    # what the audit trail records (access kinds, arrangement actions, gate decisions by mode)
    "audit_kind": (
        "login", "login_failed", "login_locked", "lockout", "reveal", "reveal_denied", "contact_blocked",
        "outcome_refused", "complaint", "handover", "password_changed", "token_issued", "service_token_issued",
        "service_token_revoked", "service_token_denied", "user_created", "user_changed", "user_admin_denied",
        "promise.recorded", "plan.agreed", "settlement.offered", "extension.granted", "payment.posted",
        "payment.reversed", "hardship.enrolled", "counselling.referred", "counselling.outcome",
        "gate.check", "gate.preview", "gate.reserve", "gate.outcome",
        "case.dispute.raised", "case.hardship.raised", "case.complaint.raised", "case.taken", "case.assigned",
        "case.resolved", "case.rejected", "case.file_read", "case.file_refused", "search", "inbound_contact",
        # the customer's own page (actor customer:<id>)
        "portal.link_created", "portal.link_revoked", "portal.code_sent", "portal.code_wrong", "portal.locked",
        "portal.verified", "portal.preferences",
        # a customer's contact points changed on the account page (services.workbench.contact_points)
        "point.added", "point.marked_wrong", "point.consent_given", "point.consent_withdrawn",
        # maker-checker approvals of arrangements, and a payments ledger opened from the portfolio
        "approval.requested", "approval.approved", "approval.rejected", "approval.withdrawn", "ledger.opened",
    ),
    "search_match": ("account_id", "phone", "phone_last4", "national_id", "name"),  # how a search found it
    # an inbound call's outcomes, worded for a call the customer made (the form of an inbound call)
    "inbound_outcome": tuple(str(o) for o in INBOUND_OUTCOMES_OF_CHANNEL[Channel.CALL]),
    "rule_action": tuple(str(v) for v in Verdict),  # what a rule does when it fires
    # which way an institution may move a rule's parameter (every direction the packs use)
    "tighten": tuple(sorted({way for code in PACK_ORDER for spec in load_pack(code).rules
                             for way in spec.tighten.values()})),
    "review_kind": ("review", "warning"),  # the gate's decisions a person should look at
    # how a payment came in (the demo's channels and the payment form's, services.workbench.arrangements)
    "payment_channel": ("bank_transfer", "app", "wechat", "alipay", "counter"),
    # the notice after an arrangement was made on the account page, and after an approval step
    "arrangement_done": ("plan", "settlement", "extension", "hardship", "referral", "payment"),
    "approval_done": ("approved", "rejected", "withdrawn"),
}


def label(translations: NullTranslations, code_list: str, code: str | StrEnum | None) -> str:
    """The reader's word for ``code`` of ``code_list``; the code itself when it is not a known
    code (free text from a file), and a dash for none."""
    if code is None or code == "":
        return "—"
    return str(translations.pgettext(code_list, str(code)))


def labels(translations: NullTranslations, code_list: str, codes: str | None, separator: str = "、") -> str:
    """A list of codes separated by ";" or "," (an account's flags) as labels."""
    parts = [part.strip() for part in (codes or "").replace(",", ";").split(";") if part.strip()]
    return separator.join(label(translations, code_list, part) for part in parts) or "—"


def queue_reason(translations: NullTranslations, stored: str | None) -> str:
    """Why an account is in the queue, in the reader's language (``domain.work_queue.QueueReason``);
    a reason stored as text before reasons were codes is shown as it is."""
    reason = QueueReason.read(stored)
    if reason is None:
        return stored or "—"
    _, v = translations.gettext, reason.values
    if reason.kind is ReasonKind.CALLBACK:
        return _("a callback is due")
    if reason.kind is ReasonKind.PLAN:
        text = _("Plan: %(text)s") % {"text": v.get("text", "")}
        offer = v.get("offer")
        return text + (" · " + _("offer: %(offer)s") % {"offer": label(translations, "offer", offer)} if offer else "")
    aging = _("%(dpd)s days past due · bucket %(bucket)s") % {"dpd": v.get("dpd"), "bucket": v.get("bucket")}
    if reason.kind is ReasonKind.EXPECTED_VALUE:
        value = _("expected %(expected)s (propensity %(propensity)s × past due %(past_due)s × cure %(cure)s)") % v
        return f"{value} · {aging}"
    return _("no score yet") + f" · {aging} · " + _("past due %(past_due)s") % v
