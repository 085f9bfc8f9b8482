"""Every rule function, by rule id. A pack file names the rules; this says how each is judged.

A rule is `(ctx, spec) -> RuleResult`: `ctx` is the proposed contact with its derived facts,
`spec` the rule as the pack (and any tighten-only override) defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from arrears.compliance.rules import (
    cn_account,
    cn_frequency,
    cn_text,
    cn_third_party,
    cn_time,
    disputes,
    uk,
    us_conduct,
    us_content,
    us_frequency,
    us_location,
    us_overlays,
    us_text,
    us_time,
)
from arrears.compliance.rules.common import Rule

RULES: dict[str, Rule] = {
    # China
    "CN-TIME-01": cn_time.quiet_hours,
    "CN-VISIT-01": cn_time.field_visit,
    "CN-FREQ-01": cn_frequency.effective_conversations,
    "CN-FREQ-02": cn_frequency.unanswered_dials,
    "CN-FREQ-03": cn_frequency.daily_touches,
    "CN-3P-01": cn_third_party.third_party_content,
    "CN-3P-02": cn_third_party.lost_contact_only,
    "CN-3P-03": cn_third_party.third_party_do_not_contact,
    "CN-OPTOUT-01": cn_account.opted_out_messages,
    "CN-PLAN-01": cn_account.installment_plan,
    "CN-DISP-01": cn_account.open_objection,
    "CN-DISP-02": disputes.dispute_hold,
    "CN-AGY-03": cn_account.agency_qualification,
    "CN-AGY-04": cn_account.collector_training,
    "CN-TXT-01": cn_text.threats,
    "CN-TXT-02": cn_text.insults,
    "CN-TXT-03": cn_text.false_authority,
    "CN-TXT-04": cn_text.criminal_claims,
    "CN-TXT-05": cn_text.disclosure,
    "CN-TXT-06": cn_text.family_pressure,
    "CN-TXT-07": cn_text.borrowing_or_fees,
    "CN-TXT-08": cn_text.visit_mention,
    "CN-TXT-09": cn_text.legal_action,
    "CN-ID-01": cn_text.self_identification,
    # United States (Reg F, TCPA)
    "US-TIME-01": us_time.convenient_hours,
    "US-TIME-02": us_time.every_location,
    "US-TIME-03": us_time.designated_inconvenient,
    "US-PLACE-01": us_conduct.workplace,
    "US-PLACE-02": us_conduct.inconvenient_place,
    "US-EMAIL-01": us_conduct.employer_email,  # the catalogue's US-ESMS-02
    "US-ESMS-03": us_content.email_procedure,
    "US-ESMS-04": us_content.text_procedure,
    "US-ATTY-01": us_conduct.attorney,
    "US-CEASE-01": us_conduct.cease,
    "US-VAL-03": disputes.us_dispute,
    "US-MEDIUM-01": us_conduct.medium,
    "US-FREQ-01": us_frequency.seven_in_seven,
    "US-FREQ-02": us_frequency.after_conversation,
    "US-FREQ-03": us_frequency.multi_debt,
    "US-FREQ-04": us_frequency.consent_exclusion,
    "US-FREQ-05": us_frequency.concentration,
    "US-FREQ-06": us_frequency.electronic_messages,
    "US-ESMS-01": us_conduct.electronic_opt_out,
    "US-3P-01": us_conduct.third_party,
    "US-3P-02": us_location.location_content,
    "US-3P-03": us_location.location_once,
    "US-VM-01": us_content.limited_content_voicemail,
    "US-MAIL-01": us_content.mail,
    "US-DISC-01": us_content.disclosures,
    "US-VAL-01": us_content.validation_timely,
    "US-VAL-02": us_content.validation_end_date,
    "US-VAL-04": us_content.overshadowing,
    "US-TXT-01": us_text.abuse,
    "US-TXT-02": us_text.arrest,
    "US-TXT-03": us_text.remedies,
    "US-TXT-04": us_text.false_affiliation,
    "US-SOL-01": us_text.time_barred,
    "US-TCPA-01": us_conduct.automated_to_mobile,
    # overlays
    "US-MA-01": us_overlays.massachusetts,
    "US-MA-02": us_overlays.massachusetts_work_request,
    "US-MA-03": us_overlays.massachusetts_household,
    "US-MA-04": us_overlays.massachusetts_visits,
    "US-NYC-01": us_overlays.new_york_city,
    "US-WA-01": us_overlays.washington,
    # United Kingdom (CONC 7)
    "UK-TIME-01": uk.reasonable_time,
    "UK-PRESS-01": uk.pressure,
    "UK-3P-01": uk.third_parties,
    "UK-MISLEAD-01": uk.misleading,
    "UK-FREQ-01": uk.contact_cap,
    "UK-BS-01": uk.breathing_space,
    "UK-DISP-01": disputes.dispute_hold,
}

# Rules that judge only a message text: nothing to judge when the action carries no message.
TEXT_ONLY: frozenset[str] = frozenset(
    {
        *(f"CN-TXT-0{n}" for n in range(1, 10)),
        "CN-ID-01",
        "US-TXT-01",
        "US-TXT-02",
        "US-TXT-03",
        "US-TXT-04",
        "US-SOL-01",
        "US-DISC-01",
        "US-VAL-04",
        "UK-PRESS-01",
        "UK-MISLEAD-01",
    }
)

# What a rule needs to say anything (`compliance.triggers`): the features of the contact of which
# at least one must be present for the rule to deny, review or warn; on a contact showing none of
# them the rule passes, so the gate does not run it. A rule not named here may speak on any
# contact of its channels. Read off each rule's first test (e.g. US-ATTY-01 passes unless the
# consumer is represented); `tests/unit/compliance/test_triggers.py` checks every declaration on
# the decision corpus. Declare a feature here only when the rule passes without it, whatever its
# parameters and the rest of the contact.
NEEDS: dict[str, tuple[str, ...]] = {
    **{rule_id: ("message",) for rule_id in TEXT_ONLY},
    # China
    "CN-3P-01": ("not_debtor",),
    "CN-3P-02": ("not_debtor",),
    "CN-3P-03": ("third_party_do_not_contact",),
    "CN-OPTOUT-01": ("opt_outs", "replied_stop"),
    "CN-PLAN-01": ("installment_plan_active",),
    "CN-DISP-01": ("dispute_open",),
    "CN-DISP-02": ("dispute_hold",),
    "CN-AGY-03": ("agency",),
    "CN-AGY-04": ("agent",),
    # United States
    "US-TIME-02": ("zones_not_one",),  # one zone: US-TIME-01 says all there is to say
    "US-TIME-03": ("inconvenient_windows",),
    "US-PLACE-01": ("no_work_contact",),
    "US-PLACE-02": ("inconvenient_places",),
    "US-EMAIL-01": ("work_kind",),
    "US-ATTY-01": ("attorney_represented",),
    "US-CEASE-01": ("cease_communication",),
    "US-VAL-03": ("dispute_hold", "dispute_open"),
    "US-MEDIUM-01": ("opt_outs", "third_party_do_not_contact", "replied_stop"),
    "US-FREQ-03": ("several_debts",),
    "US-FREQ-04": ("call_consent_until",),
    "US-3P-01": ("not_debtor",),
    "US-3P-02": ("not_debtor",),
    "US-3P-03": ("not_debtor",),
    "US-MAIL-01": ("mail_extras",),
    "US-VAL-01": ("initial_communication_at",),
    "US-VAL-02": ("validation_end_date",),
    "US-TCPA-01": ("automated",),
    "US-MA-02": ("work_kind", "not_debtor"),
    "US-MA-03": ("not_debtor",),
    # United Kingdom
    "UK-3P-01": ("message", "not_debtor"),
    "UK-BS-01": ("breathing_space",),
    "UK-DISP-01": ("dispute_hold",),
}

# Rules that count earlier attempts against a cap. A contact's recorded outcome is judged by
# these again (`gate.check_outcome`): an outcome may be one the contact was not counted as when
# it was reserved (e.g. the debtor answered a third party's number). Everything else was judged
# when the contact was reserved and does not depend on how it turned out.
CAPS: frozenset[str] = frozenset(
    {
        "CN-FREQ-01",
        "CN-FREQ-02",
        "CN-FREQ-03",
        "US-FREQ-01",
        "US-FREQ-02",
        "US-FREQ-03",
        "US-FREQ-05",
        "US-FREQ-06",
        "US-MA-01",
        "US-MA-04",
        "US-NYC-01",
        "US-WA-01",
        "UK-FREQ-01",
    }
)


def _days(value: int) -> Callable[[Mapping[str, Any]], int]:
    return lambda _params: value


# How many local dates (today included) of history each rule that reads history counts, from
# its parameters; a rule not named here reads no history, or reads whatever history it is given
# without needing more: US-3P-03 (any earlier location communication with the person), US-ESMS-03
# (the consumer's e-mails from the address), US-ESMS-04 (texts from the consumer in 60 days) and
# US-DISC-01 (an earlier communication) see only the history passed, which can only make them
# stricter (a basis not seen is missing) - except US-3P-03, whose earlier communication falls
# out of the look-back after 31 days (documented in docs/compliance.md). ``compliance.facts.lookback_days``
# takes the longest over the packs in force: the one look-back window of every caller.
WINDOWS: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "CN-FREQ-01": _days(1),
    "CN-FREQ-02": _days(1),
    "CN-FREQ-03": _days(1),
    "CN-3P-02": lambda params: params["consecutive_unreachable_days"],
    "US-FREQ-01": _days(7),
    "US-FREQ-02": lambda params: us_frequency.lookback_days_for(params["quiet_days_after_conversation"]),
    "US-FREQ-03": _days(us_frequency.lookback_days_for(7)),
    "US-FREQ-05": _days(1),
    "US-FREQ-06": _days(7),
    "US-MA-04": _days(30),
    "US-MA-01": _days(us_overlays.MA_OTHER_NUMBERS_DAYS),
    "US-NYC-01": _days(7),
    "US-WA-01": _days(7),
    "UK-FREQ-01": _days(7),
}
