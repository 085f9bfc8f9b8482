"""The compliance-check contract (spec compliance-check-v1): request, answer and error models.

Required: `id`, `packs`, `at`, `action.channel`, `action.to.party`, `debtor.zones`. Everything
else may be absent or null (= none / not known). Types are strict: a boolean is `true`/`false`,
an instant carries an offset or `Z`, a date is `YYYY-MM-DD`, a zone is an IANA name.
Unknown keys are ignored, except in `debtor.flags` where a misspelt flag would silently
allow a contact, so it is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
    ValidationError,
)

from arrears.compliance.choices import only
from arrears.compliance.history import Attempt, flatten_history
from arrears.domain.vocabulary import (
    ADDRESSED_KINDS,
    ADDRESSED_PARTIES,
    Channel,
    ContactKind,
    Direction,
    Jurisdiction,
    Language,
    Outcome,
)
from arrears.domain.vocabulary import Party as AnyParty

# The vocabulary is domain.vocabulary's: a pack code is a Jurisdiction; a party addressed is one
# of ADDRESSED_PARTIES, a party in the history any Party (contacts.csv also knows `unknown`).
AddressedParty = Annotated[AnyParty, only(ADDRESSED_PARTIES)]
# Old names, kept importable: PackCode (planning/trusted_requests.py), Party (the parties an
# action may address, iterated by services/contact_gate.py).
PackCode = Jurisdiction
Party = ADDRESSED_PARTIES


AddressedKind = Annotated[ContactKind, only(ADDRESSED_KINDS)]
Kind = ContactKind  # the old name


class Purpose(StrEnum):
    """Optional extension: what the action is for (null = not known = collection)."""

    COLLECTION = "collection"
    SERVICE = "service"  # no collection content: statement, plan schedule, receipt
    LOCATION = "location"  # locate the debtor or ask a third party to relay a message
    CEASE_REPLY = "cease_reply"  # one of the three notices 1006.6(c) still permits
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"  # the one confirmation 1006.14(h) permits


class LocationFollowUp(StrEnum):
    """Optional extension: why a location contact goes to a third party again (1006.10(c))."""

    REQUESTED = "requested"  # the person asked to be contacted again
    EARLIER_ANSWER_WRONG = "earlier_answer_wrong"  # reasonable belief the earlier answer was wrong or incomplete


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    REVIEW = "review"


# ---------------------------------------------------------------- scalar types
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Instants are judged in every zone of the debtor, a day or a year around them: far outside
# these years a conversion overflows, and no contact is judged there.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO 8601 instant: {value!r}") from None
    else:
        raise ValueError(f"an instant must be an ISO 8601 string, got {type(value).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"instant {value!r} has no offset; add one (+08:00) or Z")
    try:
        within = EARLIEST <= parsed.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):
        within = False
    if not within:
        raise ValueError(f"instant {value!r} is outside the years {EARLIEST.year}-{LATEST.year - 1}")
    return parsed


def _iso_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(f"a date must be written YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a calendar date: {value!r}") from None


def _clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"a time of day must be written HH:MM or HH:MM:SS, got {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a time of day: {value!r}") from None


@lru_cache(maxsize=512)
def zone(key: str) -> ZoneInfo:
    """The IANA zone `key` (cached: zones are immutable)."""
    return ZoneInfo(key)


def _zone_name(value: str) -> str:
    try:
        zone(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown IANA time zone {value!r}") from None
    return value


Instant = Annotated[datetime, BeforeValidator(_instant)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
ClockTime = Annotated[time, BeforeValidator(_clock)]
ZoneName = Annotated[StrictStr, AfterValidator(_zone_name)]


# ---------------------------------------------------------------- request
_set = object.__setattr__


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def assemble(cls, **values: Any) -> Self:
        """`model_construct` for internal callers whose values are already of the field types
        (field names, not aliases; absent fields take their defaults): the same instance,
        without its per-field work. No validation: never for external input."""
        defaults = _DEFAULTS.get(cls)
        if defaults is None:
            defaults = _DEFAULTS[cls] = {
                name: info.get_default(call_default_factory=True) for name, info in cls.model_fields.items()
            }
        data = {**defaults, **values}
        if len(data) != len(defaults):
            raise TypeError(f"{cls.__name__} has no field {sorted(set(values) - set(defaults))}")
        model = cls.__new__(cls)
        _set(model, "__dict__", data)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


_DEFAULTS: dict[type, dict[str, Any]] = {}


class ContactPoint(_Model):
    party: AddressedParty
    kind: AddressedKind | None = None
    address: StrictStr | None = None


class HistoryContactPoint(_Model):
    party: AnyParty | None = None
    kind: AddressedKind | None = None
    address: StrictStr | None = None


class Person(_Model):
    id: StrictStr | None = None
    training_valid_until: IsoDate | None = None


class Agency(_Model):
    id: StrictStr | None = None
    authorized_until: IsoDate | None = None
    last_evaluation: IsoDate | None = None


class Action(_Model):
    channel: Channel
    to: ContactPoint
    debt_ids: list[StrictStr] | None = None
    automated: StrictBool | None = None
    message: StrictStr | None = None
    visitors: list[Person] | None = None
    agent: Person | None = None
    agency: Agency | None = None
    purpose: Purpose | None = None  # optional extension, see Purpose
    # optional extensions (US pack): a letter sent as a postcard and the text on its envelope
    # (1006.22(f)(1)-(2), 1006.10(b)(3)-(4)); the validation-period end date a validation notice
    # states (1006.34(b)(5)); why a location contact goes to a third party again (1006.10(c))
    postcard: StrictBool | None = None
    envelope: StrictStr | None = None
    validation_end_date: IsoDate | None = None
    location_follow_up: LocationFollowUp | None = None


class ConsentWindow(_Model):
    from_: Instant = Field(alias="from")
    to: Instant


class InconvenientWindow(_Model):
    """Optional extension: a time the person said is inconvenient, in their local time."""

    from_: ClockTime = Field(alias="from")
    to: ClockTime
    weekdays: list[Annotated[int, Field(ge=1, le=7, strict=True)]] | None = None  # ISO 1=Mon


class Flags(_Model):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    cease_communication: StrictBool | None = None
    attorney_represented: StrictBool | None = None
    dispute_open: StrictBool | None = None
    no_work_contact: StrictBool | None = None
    lost_contact: StrictBool | None = None
    deceased: StrictBool | None = None
    bankruptcy: StrictBool | None = None
    installment_plan_active: StrictBool | None = None
    time_barred: StrictBool | None = None
    litigation_authorized: StrictBool | None = None
    opt_outs: list[StrictStr] | None = None
    consent_windows: list[ConsentWindow] | None = None
    call_consent_until: Instant | None = None
    third_party_do_not_contact: list[StrictStr] | None = None
    # optional extensions (documented in docs/compliance.md)
    tcpa_consent: StrictBool | None = None
    criminal_referral_verified: StrictBool | None = None
    breathing_space: StrictBool | None = None
    dispute_hold: StrictBool | None = None  # a dispute case is open: collection held until it is closed
    inconvenient_windows: list[InconvenientWindow] | None = None
    # optional extensions, US pack (docs/compliance.md, "Contract extensions")
    call_consent_given_at: Instant | None = None  # when the Reg F call consent was received
    inconvenient_places: list[StrictStr] | None = None  # `home`, `work` or addresses (US-PLACE-02)
    electronic_consents: list[StrictStr] | None = None  # e-mail addresses / numbers consented directly
    reassigned_number_check_at: Instant | None = None  # last reassigned-numbers database check
    no_work_contact_requested_at: Instant | None = None  # MA: oral request not to be called at work
    no_work_contact_in_writing: StrictBool | None = None  # MA: the request was confirmed in writing
    initial_communication_at: Instant | None = None  # Reg F: the first communication on the debt
    validation_notice_sent_at: Instant | None = None  # Reg F: validation information provided
    validation_period_ends: IsoDate | None = None  # Reg F: the end of the validation period
    replied_stop: list[StrictStr] | None = None  # replied STOP/退订 to a text or e-mail (+ history's: context.py)


class Debtor(_Model):
    id: StrictStr | None = None
    zones: list[ZoneName]
    flags: Flags | None = None


class HistoryEntry(_Model):
    at: Instant
    channel: Channel
    direction: Direction | None = None
    to: HistoryContactPoint | None = None
    debt_ids: list[StrictStr] | None = None
    outcome: Outcome | None = None
    automated: StrictBool | None = None
    agency_id: StrictStr | None = None
    message: StrictStr | None = None
    # optional extension: an attempt planned earlier in the same plan, not made yet (see
    # history.PLANNED); without it, an entry with no outcome may still be any outcome
    planned: StrictBool | None = None
    # optional extension: the voicemail left was a limited-content message (1006.2(j)); without
    # it, a voicemail whose `message` names no debt is taken as one
    limited_content: StrictBool | None = None


# at's timestamp, distinct zones, distinct debts, attempts, their times, pack codes
Facts = tuple[float, tuple[str, ...], tuple[str, ...], tuple[Attempt, ...], tuple[float, ...], tuple[str, ...]]


class CheckRequest(_Model):
    id: StrictStr
    packs: Annotated[list[Jurisdiction], Field(min_length=1)]
    language: Language | None = None
    at: Instant
    action: Action
    debtor: Debtor
    history: list[HistoryEntry] | None = None
    # computed once, when parsed: `at`'s timestamp, the distinct zones and debts in the request's
    # order, the history flattened (`attempts`) with its times, and the pack codes as plain strings
    _facts: Facts = PrivateAttr(default=(0.0, (), (), (), (), ()))

    def model_post_init(self, _context: Any, /) -> None:
        attempts = flatten_history(self.history)
        self._facts = (self.at.timestamp(), tuple(dict.fromkeys(self.debtor.zones)),
                       tuple(dict.fromkeys(self.action.debt_ids or ())), attempts,
                       tuple(attempt.ts for attempt in attempts), tuple([code._value_ for code in self.packs]))

    @property
    def facts(self) -> Facts:
        """What the gate reads of the request besides its fields (see `_facts`); read directly:
        pydantic's __getattr__ for private attributes is slow on the fast path."""
        private = self.__pydantic_private__
        assert private is not None  # a parsed request always has them (model_post_init)
        return private["_facts"]  # type: ignore[no-any-return]

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        """`history` oldest first, flattened for counting."""
        return self.facts[3]

    @property
    def attempt_times(self) -> tuple[float, ...]:
        """The timestamps of `attempts`, ascending (for bisection)."""
        return self.facts[4]


# ---------------------------------------------------------------- answers
class Answer(_Model):
    id: str
    decision: Decision
    rules: list[str]
    reasons: list[str]
    warnings: list[str]
    # optional extensions: which pack versions judged it, and the citation of each rule
    pack_versions: dict[str, str] | None = None
    citations: list[str] | None = None


class ErrorAnswer(_Model):
    id: str | None
    error: str


class RequestError(ValueError):
    """A request that cannot be judged; `message` says what is wrong and where."""

    def __init__(self, request_id: str | None, message: str) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.message = message

    def answer(self) -> ErrorAnswer:
        return ErrorAnswer(id=self.request_id, error=self.message)


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def describe(error: ValidationError) -> str:
    """One readable line per problem: `action.to.party: Input should be 'debtor', ...`."""
    parts = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown flag"
        elif item["type"] == "enum":
            message = f"{message} (got {repr(item['input'])[:60]})"
        parts.append(f"{_where(item['loc'])}: {message}")
    return "; ".join(parts)


def request_id_of(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def parse_request(raw: Any) -> CheckRequest:
    """Parse a decoded JSON object; raises RequestError with a clear message."""
    if not isinstance(raw, dict):
        raise RequestError(None, f"a request must be a JSON object, got {type(raw).__name__}")
    try:
        return CheckRequest.model_validate(raw)
    except ValidationError as error:
        raise RequestError(request_id_of(raw), describe(error)) from None
