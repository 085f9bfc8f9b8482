"""Strategies as data: one YAML file per strategy, validated, versioned, split by hashing.

A strategy maps each segment (from scoring) to a treatment: the channels in order of
preference, the cadence (days between attempts per channel), the message template, the
offer, its expected effect and escalation steps by days past due; plus the holds, the
hours, the cost of a contact and of disturbance, and which models the optimiser may use.

Champion/challenger: ``assign`` puts each account in a stable bucket (sha256 of salt +
account id), so the same account always gets the same strategy for the same split.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from arrears.compliance.choices import only
from arrears.domain.vocabulary import PLANNED_CHANNELS, Channel, Owner, Segment

BUILT_IN = Path(__file__).parent / "strategies"
SCHEMA_VERSION = 1


# A treatment's channels: those a plan uses (domain.vocabulary.PLANNED_CHANNELS).
PlannedChannel = Annotated[Channel, only(PLANNED_CHANNELS)]


class Offer(StrEnum):
    NONE = "none"
    INSTALLMENT = "installment"
    EXTENSION = "extension"
    SETTLEMENT = "settlement"
    HARDSHIP = "hardship"


HOLD_FLAGS = frozenset({"dispute", "cease", "deceased", "bankruptcy"})
_HOURS = re.compile(r"^(\d{1,2})-(\d{1,2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """An escalation step: from ``after_dpd`` days past due on, use this template/offer."""

    after_dpd: Annotated[int, Field(ge=0)]
    template: str
    offer: Offer | None = None
    note: str = ""


class Treatment(_Strict):
    label: str
    channels: Annotated[list[PlannedChannel], Field(min_length=1)]
    cadence_days: dict[PlannedChannel, Annotated[int, Field(ge=1)]] = {}
    template: str
    offer: Offer = Offer.NONE
    offer_effect: Annotated[float, Field(gt=0, le=5)] = 1.0
    max_contacts_per_day: Annotated[int, Field(ge=1, le=3)] = 1
    escalation: list[Step] = []

    @model_validator(mode="after")
    def _cadence_only_for_listed_channels(self) -> Treatment:
        extra = set(self.cadence_days) - set(self.channels)
        if extra:
            raise ValueError(f"cadence_days names channels not in channels: {sorted(str(c) for c in extra)}")
        return self

    def step_for(self, dpd: int) -> Step:
        chosen = Step(after_dpd=0, template=self.template, offer=self.offer)
        for step in sorted(self.escalation, key=lambda s: s.after_dpd):
            if dpd >= step.after_dpd:
                chosen = step
        return chosen


class Holds(_Strict):
    flags: list[str] = sorted(HOLD_FLAGS)
    service_only_flags: list[str] = ["installment_plan"]
    promise_grace_days: Annotated[int, Field(ge=0, le=30)] = 3
    service_template: str = "plan_due_reminder"
    service_text: str = ("【示例银行】尊敬的客户，您的分期计划本期还款日临近，可在手机银行查看还款计划。"
                         "如有疑问请致电95555。拒收请回复R")
    service_days_before_due: Annotated[int, Field(ge=0, le=15)] = 3

    @field_validator("flags")
    @classmethod
    def _must_hold_the_lawful_minimum(cls, flags: list[str]) -> list[str]:
        missing = HOLD_FLAGS - set(flags)
        if missing:
            raise ValueError(f"must hold at least {sorted(HOLD_FLAGS)}; missing {sorted(missing)}")
        return flags


class Hours(_Strict):
    call: str = "8-20"  # local start hours, inclusive
    message: str = "9-20"

    @field_validator("call", "message")
    @classmethod
    def _range(cls, text: str) -> str:
        match = _HOURS.match(text)
        if not match or not (0 <= int(match[1]) <= int(match[2]) <= 23):
            raise ValueError(f"hours must be 'FROM-TO' with 0 <= FROM <= TO <= 23, got {text!r}")
        return text

    def of(self, channel: str) -> range:
        match = _HOURS.match(self.call if channel == "call" else self.message)
        assert match is not None
        return range(int(match[1]), int(match[2]) + 1)


class Models(_Strict):
    """Which parts of the optimiser this strategy may use (the ablation switches)."""

    hour_model: bool = True
    offers: bool = True
    # fill the capacity an hour has left after the best-hours passes with calls at other hours
    fill: bool = True
    # value a contact with the response models fitted from the ledger (planning.response_model:
    # P(promise | reached) x P(kept | promise) for calls, P(paid within 7 days | delivered) for
    # messages, per segment) instead of the judgement (propensity x the channel's persuasion)
    response: bool = False


# The third parties a lost debtor may be looked for through (never the debtor's employer or
# an unrelated "other" by default: CN treats a colleague as an unrelated third party).
LOCATION_OWNERS = (Owner.EMERGENCY_CONTACT, Owner.SPOUSE)


class ComplaintLevel(_Strict):
    """Disturbance priced by the complaints the history shows (``planning/complaint_level.py``):
    the strategy's ``disturbance`` prices hold where debtors complain at ``rates`` (complaints per
    outbound attempt on the channel, to a debtor with no other contact in the 7 days before; each
    earlier contact that week adds one more of it); the plan multiplies every price by what the
    last ``days`` days of history show against those rates, shrunk toward 1 by ``weight``
    expected complaints, and at least ``floor``."""

    rates: dict[PlannedChannel, Annotated[float, Field(gt=0, le=1)]]
    days: Annotated[int, Field(ge=7, le=365)] = 30
    weight: Annotated[float, Field(ge=0)] = 10.0
    floor: Annotated[float, Field(gt=0, le=1)] = 0.05


class Location(_Strict):
    """Looking for a lost debtor through the permitted third parties: one call to each party
    (never a second one unless that party called us since), to ask them to pass on a request to
    call back, with offer ``none`` and a script (``template``) that says nothing of the debt.

    A debtor is lost when none of their own phone numbers is usable (each listed invalid or
    found dead by a call or message in the history; a number the debtor asked us not to use
    does not make them lost), or when calls to them failed on ``unanswered_days`` different
    days since they were last reached. The gate judges each call as what it is: to the third
    party, purpose ``location`` (CN-3P-01/02/03, US-3P-01)."""

    owners: Annotated[list[Owner], Field(min_length=1)] = list(LOCATION_OWNERS)
    template: str = "location_inquiry"
    # P(the debtor gets back in touch | the third party answered): judgement, not fitted.
    relay: Annotated[float, Field(gt=0, le=1)] = 0.2
    unanswered_days: Annotated[int, Field(ge=3, le=31)] = 5

    @field_validator("owners")
    @classmethod
    def _never_the_debtor(cls, owners: list[Owner]) -> list[Owner]:
        if Owner.DEBTOR in owners:
            raise ValueError("a location contact goes to a third party, never to the debtor")
        return owners


class Affordability(_Strict):
    """Offers chosen by what the debtor can afford (``planning.affordability``) instead of by the
    segment: ``asks`` is what each offer asks in its first month, as a share of the past-due amount
    (the offer's terms; ``none`` asks the whole amount), ``effect`` its expected effect (judgement,
    as a treatment's ``offer_effect``), ``templates`` its message. A treatment step whose own offer
    is ``none`` keeps its own template when ``none`` is chosen; a settlement step (a write-down, the
    segment's decision) keeps its settlement."""

    asks: dict[Offer, Annotated[float, Field(gt=0, le=1)]]
    effect: dict[Offer, Annotated[float, Field(gt=0, le=5)]]
    templates: dict[Offer, str]

    @model_validator(mode="after")
    def _every_offer_priced(self) -> Affordability:
        if Offer.NONE not in self.asks or Offer.SETTLEMENT in self.asks:
            raise ValueError("asks must name none and may not name settlement (the segment's decision)")
        for table in ("effect", "templates"):
            missing = set(self.asks) - set(getattr(self, table))
            if missing:
                raise ValueError(f"{table}: no value for offers {sorted(str(o) for o in missing)}")
        return self


class Strategy(_Strict):
    schema_version: Literal[1] = 1
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    version: Annotated[int, Field(ge=1)]
    description: str
    holds: Holds = Holds()
    hours: Hours = Hours()
    models: Models = Models()
    cost: dict[PlannedChannel, Annotated[float, Field(ge=0)]]
    disturbance: dict[PlannedChannel, Annotated[float, Field(ge=0)]]
    persuasion: dict[PlannedChannel, Annotated[float, Field(gt=0, le=1)]]
    min_value: Annotated[float, Field(ge=0)] = 0.0
    # With ``models.fill``, the call capacity the fill leaves goes to calls the cadence would not
    # make today too: only to an account last called fill_gap_days days ago or more, never to a
    # customer reached in a conversation in the last rest_days days.
    rest_days: Annotated[int, Field(ge=1, le=30)] = 3
    fill_gap_days: Annotated[int, Field(ge=1, le=30)] = 2
    # The message (SMS or e-mail) sent instead of the treatment's to customers who answer messages
    # more than calls: one that carries the link to the customer's own page. None: never.
    self_service_template: str | None = None
    # With ``models.response``: ``judgement`` scales the fitted rates by one factor so that a call's
    # P(promise and keep | reached) averages the judgement's (propensity) over the day's accounts (the
    # cost and disturbance prices are in the judgement's units); ``fitted`` takes them at face value
    # (the value is then expected money in yuan: price disturbance in yuan too).
    response_level: Literal["judgement", "fitted"] = "judgement"
    # Location contacts to third parties for lost debtors; None: never.
    location: Location | None = None
    # Offers by what the debtor can afford; None: each treatment's own offer (by segment).
    affordability: Affordability | None = None
    # At most this many contacts to a debtor in 7 days (the last 7 days' attempts on their own
    # numbers and addresses, and today's); None: no weekly limit beyond cadence and quota.
    contacts_per_week: Annotated[int, Field(ge=1, le=21)] | None = None
    # Disturbance prices scaled by how often the history's debtors complain; None: as written.
    complaints: ComplaintLevel | None = None
    segments: dict[Segment, Treatment]

    @model_validator(mode="after")
    def _every_segment_and_channel_priced(self) -> Strategy:
        missing = set(Segment) - set(self.segments)
        if missing:
            raise ValueError(f"segments: no treatment for {sorted(str(m) for m in missing)}")
        used = {c for t in self.segments.values() for c in t.channels} | ({Channel.CALL} if self.location else set())
        for table in ("cost", "disturbance", "persuasion"):
            unpriced = used - set(getattr(self, table))
            if unpriced:
                raise ValueError(f"{table}: no value for channels {sorted(str(c) for c in unpriced)}")
        return self

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"


class StrategyError(ValueError):
    """A strategy file that cannot be used; the message names the file and each field."""


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_strategy(data: object, source: str) -> Strategy:
    if not isinstance(data, dict):
        raise StrategyError(f"{source}: a strategy must be a YAML mapping")
    try:
        return Strategy.model_validate(data)
    except ValidationError as error:
        lines = [f"{source}: {_where(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise StrategyError("\n".join(lines)) from None


def built_in_strategies() -> list[str]:
    """The names of the strategies shipped with the package."""
    return sorted(p.stem for p in BUILT_IN.glob("*.yaml"))


def load_strategy(name_or_file: str | Path) -> Strategy:
    """A built-in strategy by name (``default``) or a YAML file by path."""
    path = Path(name_or_file)
    if not path.suffix:
        path = BUILT_IN / f"{name_or_file}.yaml"
    if not path.exists():
        known = ", ".join(built_in_strategies())
        raise StrategyError(f"{name_or_file}: no such strategy file (built-in: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise StrategyError(f"{path.name}: not valid YAML: {error}") from None
    return parse_strategy(data, path.name)


@dataclass(frozen=True)
class Split:
    """Champion and challengers with their shares of the accounts (shares sum below 1)."""

    champion: Strategy
    challengers: tuple[tuple[Strategy, float], ...] = ()
    salt: str = "arrears-split-v1"

    def __post_init__(self) -> None:
        total = sum(share for _, share in self.challengers)
        if any(share <= 0 for _, share in self.challengers) or total >= 1:
            raise StrategyError("challenger shares must be > 0 and add up to less than 1")

    @property
    def strategies(self) -> tuple[Strategy, ...]:
        return (self.champion, *(s for s, _ in self.challengers))


BUCKETS = 10_000


def bucket_of(account_id: str, salt: str) -> int:
    """A stable bucket in [0, 10000) for an account (sha256, independent of the process)."""
    digest = hashlib.sha256(f"{salt}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def assign(account_ids: pl.Series, split: Split) -> pl.Series:
    """The index (0 = champion) of the strategy that treats each account."""
    if not split.challengers:
        return pl.Series("strategy_index", [0] * len(account_ids), dtype=pl.Int32)
    buckets = [bucket_of(a, split.salt) for a in account_ids.to_list()]
    bounds, edge = [], 0.0
    for i, (_, share) in enumerate(split.challengers, start=1):
        edge += share * BUCKETS
        bounds.append((edge, i))
    def pick(b: int) -> int:
        for edge_, i in bounds:
            if b < edge_:
                return i
        return 0
    return pl.Series("strategy_index", [pick(b) for b in buckets], dtype=pl.Int32)
