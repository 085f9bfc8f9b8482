"""Which rules can say anything about a contact, from what the contact shows (its "features").

Most rules stay silent unless the request carries something: a flag (cease, attorney, opt-outs,
a consent record), a party other than the debtor, a message, several debts, an automated
contact. `rules.NEEDS` declares, per rule, the features of which at least one must be present
for the rule to deny, review or warn; a rule not named there may speak on any contact. The gate
runs only the rules that can speak (`gate.Plan.steps_for`, computed once per plan and set of
features), so a plain call to a debtor without flags runs the handful of rules that judge
every call (time, frequency, qualification).

A feature is a bit of one integer; computing the integer is a few comparisons per contact, and
a plan keeps one dispatch list per integer seen. The declarations are checked against the
rules on the decision corpus (`tests/unit/compliance/test_triggers.py`): every rule skipped
there returns a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from arrears.compliance.context import Context
from arrears.compliance.request import Flags

# features of the contact itself (the flags' names are features too: a flag present and true,
# or a list, record or date given)
MESSAGE = "message"  # the action carries a text (screened)
NOT_DEBTOR = "not_debtor"  # the party addressed is not the debtor
AUTOMATED = "automated"  # an automated, prerecorded or AI contact
SEVERAL_DEBTS = "several_debts"  # about more than one debt
AGENCY = "agency"  # an agency makes it (`action.agency`)
AGENT = "agent"  # a named collector makes it (`action.agent`)
WORK_KIND = "work_kind"  # a work number or an employer-provided e-mail address
ZONES_NOT_ONE = "zones_not_one"  # no zone known for the debtor, or several
MAIL_EXTRAS = "mail_extras"  # a postcard, or the envelope's text
VALIDATION_END_DATE = "validation_end_date"  # the end date a validation notice states

FLAG_NAMES: tuple[str, ...] = tuple(Flags.model_fields)
FEATURES: tuple[str, ...] = (
    MESSAGE, NOT_DEBTOR, AUTOMATED, SEVERAL_DEBTS, AGENCY, AGENT, WORK_KIND, ZONES_NOT_ONE, MAIL_EXTRAS,
    VALIDATION_END_DATE, *FLAG_NAMES,
)
BIT: dict[str, int] = {name: 1 << number for number, name in enumerate(FEATURES)}
_FLAG_BIT = {name: BIT[name] for name in FLAG_NAMES}
_MESSAGE, _NOT_DEBTOR, _AUTOMATED, _SEVERAL_DEBTS, _AGENCY, _AGENT, _WORK_KIND, _ZONES_NOT_ONE = (
    BIT[MESSAGE], BIT[NOT_DEBTOR], BIT[AUTOMATED], BIT[SEVERAL_DEBTS], BIT[AGENCY], BIT[AGENT], BIT[WORK_KIND],
    BIT[ZONES_NOT_ONE],
)
_MAIL_EXTRAS, _VALIDATION_END_DATE = BIT[MAIL_EXTRAS], BIT[VALIDATION_END_DATE]
_WORK_KINDS = frozenset({"work", "work_email"})  # as rules.common.WORK_KINDS


def flag_bits(flags: Flags) -> int:
    """The flags present: set and true (a boolean), non-empty (a list) or given (a date)."""
    values, bits = flags.__dict__, 0
    for name in flags.__pydantic_fields_set__:  # a field not set holds its default, None
        if values[name]:
            bits |= _FLAG_BIT[name]
    return bits


def features(ctx: Context) -> int:
    """The features the contact shows, as bits (`BIT`)."""
    bits = flag_bits(ctx.flags)
    if ctx.screening is not None:
        bits |= _MESSAGE
    if ctx.party != "debtor":
        bits |= _NOT_DEBTOR
    if ctx.automated:
        bits |= _AUTOMATED
    if len(ctx.debt_ids) > 1:
        bits |= _SEVERAL_DEBTS
    if ctx.agency is not None:
        bits |= _AGENCY
    if ctx.agent is not None:
        bits |= _AGENT
    if ctx.kind in _WORK_KINDS:
        bits |= _WORK_KIND
    if len(ctx.debtor_zones) != 1:
        bits |= _ZONES_NOT_ONE
    if ctx.postcard or ctx.envelope is not None:
        bits |= _MAIL_EXTRAS
    if ctx.validation_end_date is not None:
        bits |= _VALIDATION_END_DATE
    return bits


def needed_bits(needs: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Per rule id, the bits of which one must be present for it to speak (unknown names refused)."""
    unknown = sorted({name for names in needs.values() for name in names} - set(BIT))
    if unknown:
        raise KeyError(f"unknown feature(s) in rules.NEEDS: {', '.join(unknown)}")
    return {rule_id: sum(BIT[name] for name in set(names)) for rule_id, names in needs.items()}


def can_speak(needed: int | None, bits: int) -> bool:
    """A rule that needs one of `needed` (None: nothing) may speak on a contact showing `bits`."""
    return needed is None or bool(needed & bits)
