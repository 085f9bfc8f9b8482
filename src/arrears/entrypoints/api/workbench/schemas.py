"""Request and response shapes of the /v1 workbench API (one family per resource)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from arrears.compliance.choices import only
from arrears.domain.access import Role, ServiceScope
from arrears.domain.passwords import MAX_LENGTH, MIN_LENGTH
from arrears.domain.vocabulary import RECORDED_PARTIES, Channel, Direction, Outcome, Party
from arrears.domain.work_queue import COLLECTOR_SKIPS, SkipReason
from arrears.entrypoints.api.inputs import AwareInstant, Day

Username = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class MeOut(BaseModel):
    username: str
    display_name: str
    role: Role
    agency_id: str | None
    agent_id: str | None
    language: str
    permissions: list[str]


class LanguageIn(BaseModel):
    language: Literal["zh", "en"]


class UserIn(BaseModel):
    username: str = Username
    password: str = Field(max_length=MAX_LENGTH, description=f"at least {MIN_LENGTH} characters, not common, "
                          "not a sequence or repetition, not the username (see docs/security.md)")
    role: Role
    display_name: str | None = Field(default=None, max_length=100)
    agency_id: str | None = Field(default=None, max_length=64, description="empty: in house (in-house admins only)")
    agent_id: str | None = Field(default=None, max_length=64)
    language: Literal["zh", "en"] = "zh"


class UserOut(BaseModel):
    user_id: str
    username: str
    role: Role


class UserChangeIn(BaseModel):
    """Only the fields given are changed; ``agency_id: null`` makes the user in-house."""

    role: Role | None = None
    agency_id: str | None = Field(default=None, max_length=64)
    agent_id: str | None = Field(default=None, max_length=64)
    active: bool | None = None
    password: str | None = Field(default=None, max_length=MAX_LENGTH, description="a reset (ends their sessions)")


class UserChangedOut(BaseModel):
    username: str
    role: Role
    agency_id: str | None
    agent_id: str | None
    active: bool


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(max_length=MAX_LENGTH)


class ServiceTokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="the system, e.g. dialer-01")
    scopes: list[ServiceScope] = Field(min_length=1, max_length=len(ServiceScope))
    expires_at: AwareInstant | None = None


class ServiceTokenOut(BaseModel):
    token_id: str
    name: str
    scopes: list[ServiceScope]
    created_by: str | None = None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    live: bool = True


class ServiceTokenIssued(ServiceTokenOut):
    token: str = Field(description="shown once: only its SHA-256 is kept")


class AccountRow(BaseModel):
    account_id: str
    customer_id: str
    product: str
    currency: str
    balance_cents: int
    past_due_cents: int
    status: str
    agency_id: str | None
    flags: str
    name_masked: str
    dpd: int | None
    bucket: str | None


class RevealIn(BaseModel):
    field: Literal["name", "national_id", "address", "birth_date", "contact_point"]
    purpose: str = Field(min_length=2, max_length=200, description="why the plaintext is needed (audited)")
    contact_point_id: str | None = Field(default=None, max_length=64)


class RevealOut(BaseModel):
    field: str
    contact_point_id: str | None
    value: str
    audited: bool = True


class VerdictOut(BaseModel):
    decision: str
    allowed: bool
    rules: list[str]
    reasons: list[str]
    warnings: list[str]
    pack_versions: list[str]


class ChannelStatusOut(BaseModel):
    channel: str
    contact_point_id: str | None
    value_masked: str | None
    verdict: VerdictOut


class AttemptIn(BaseModel):
    channel: Channel
    contact_point_id: str | None = Field(default=None, max_length=64)
    agent_id: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="with a dialer's service token: the collector it calls for (required); "
                                             "with a user's token: not allowed (the user is the collector)")


class AttemptOut(BaseModel):
    attempt_id: str
    contact_id: str
    verdict: VerdictOut


class ContactIn(BaseModel):
    channel: Channel
    outcome: Outcome
    contact_point_id: str | None = Field(default=None, max_length=64)
    party: Annotated[Party, only(RECORDED_PARTIES)] | None = None
    direction: Direction = Field(default=Direction.OUTBOUND, description=(
        "inbound: the customer called us (a call only; not reserved through the gate, never counted by the "
        "outbound caps; party required; outcome conversation, dispute, refused, answered_other or dropped; "
        "contact_point_id, optional, is the number they called from)"))
    notes: str | None = Field(default=None, max_length=2000)
    promise_amount: str | None = Field(default=None, max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$",
                                       description="decimal text in the account currency, e.g. 1500.00")
    promise_date: Day | None = None
    dispute: bool = False
    complaint: bool = False
    callback_at: AwareInstant | None = None
    attempt_id: str | None = Field(default=None, max_length=64,
                                   description="from POST .../attempts; omitted: the gate is asked now")


class ContactOut(BaseModel):
    contact_id: str
    attempt_id: str
    outcome: str
    promise_amount_cents: int | None
    promise_id: str | None = None  # the promise recorded in the arrangements (workbench:<contact id>)
    callback_at: datetime | None
    direction: Direction = Direction.OUTBOUND


class NextOut(BaseModel):
    account_id: str | None
    reason: str | None = None  # in the reply language
    reason_kind: str | None = None  # plan | expected_value | unscored | callback
    priority: int | None = None
    best_hour: int | None = None
    callback: bool = False


class SkipIn(BaseModel):
    reason: Annotated[SkipReason, only(COLLECTOR_SKIPS)]


class FollowUpIn(BaseModel):
    kind: Literal["callback", "reminder"]
    due_at: AwareInstant
    note: str | None = Field(default=None, max_length=1000)


class FollowUpCreated(BaseModel):
    follow_up_id: str


class HandoverIn(BaseModel):
    from_username: str = Field(min_length=1, max_length=64)
    to_username: str = Field(min_length=1, max_length=64)


class HandoverOut(BaseModel):
    moved: int


class Page(BaseModel):
    items: list[dict[str, Any]]


INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "refused input (the field), or not valid (where): the error envelope"},
}
