"""The workbench's tables: people and access, the work queue, logged contacts, follow-ups.

Notes typed by collectors may hold personal data, so they are stored encrypted (``*_enc``).
Passwords are argon2 hashes; session, API and service tokens are stored only as SHA-256 hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from arrears.adapters.storage.tables import Id, UtcDateTime, metadata


def _ts(name: str, nullable: bool = True) -> Column:
    return Column(name, UtcDateTime(), nullable=nullable)


users = Table(
    "users",
    metadata,
    Column("user_id", Id, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("agency_id", Id),  # set: an agency user, sees only accounts placed with it
    Column("agent_id", Id),  # link to agents (training dates)
    Column("language", String(5), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    _ts("locked_until"),
    _ts("created_at", nullable=False),
    _ts("last_login_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", Id, primary_key=True),
    Column("user_id", Id, nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
)

service_tokens = Table(  # systems (a dialer, a gateway), not people; the token is shown once, kept hashed
    "service_tokens",
    metadata,
    Column("token_id", Id, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("scopes", Text, nullable=False),  # ServiceScope values, space-separated
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("created_by", String(100), nullable=False),  # user:<username> or cli:<operator>
    _ts("created_at", nullable=False),
    _ts("expires_at"),
    _ts("revoked_at"),
    _ts("last_used_at"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Id, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
)

access_audit = Table(
    "access_audit",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    _ts("at", nullable=False),
    Column("kind", String(30), nullable=False),  # login, login_failed, lockout, reveal, contact_blocked, ...
    Column("user_id", Id),
    Column("username", String(64)),
    Column("role", String(30)),
    Column("agency_id", Id),
    Column("account_id", Id),
    Column("field", String(40)),
    Column("purpose", Text),
    Column("outcome", String(20), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)
Index("ix_access_audit_at", access_audit.c.at)
Index("ix_access_audit_kind_at", access_audit.c.kind, access_audit.c.at)
Index("ix_access_audit_account", access_audit.c.account_id)

work_items = Table(
    "work_items",
    metadata,
    Column("item_id", Integer, primary_key=True, autoincrement=True),
    Column("queue_date", Date, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("priority", Integer, nullable=False),  # larger first
    Column("reason", Text, nullable=False),
    Column("best_hour", Integer),
    Column("status", String(10), nullable=False),  # open | assigned | done
    Column("assigned_to", Id),
    _ts("assigned_at"),
    _ts("lease_until"),
    _ts("done_at"),
    UniqueConstraint("queue_date", "account_id", name="uq_work_items_day_account"),
)
Index("ix_work_items_pick", work_items.c.queue_date, work_items.c.status, work_items.c.priority)
Index("ix_work_items_assignee", work_items.c.assigned_to, work_items.c.status)

# A skip of a day's queue item: by a collector (with their reason) or by the queue itself (the
# gate allowed no call or text now); the account rests (is not handed out) until ``rest_until``.
queue_skips = Table(
    "queue_skips",
    metadata,
    Column("skip_id", Integer, primary_key=True, autoincrement=True),
    Column("queue_date", Date, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("user_id", Id),  # None: the queue skipped it (nobody may contact the account now)
    Column("reason", String(30), nullable=False),  # domain.work_queue.SkipReason
    _ts("at", nullable=False),
    _ts("rest_until", nullable=False),
)
Index("ix_queue_skips_rest", queue_skips.c.queue_date, queue_skips.c.account_id, queue_skips.c.rest_until)

# How a day's queue was built: from which version of the day's stored plan (None: the scores),
# so that a plan stored later the same day rebuilds the waiting part of the queue.
queue_builds = Table(
    "queue_builds",
    metadata,
    Column("queue_date", Date, primary_key=True),
    Column("plan_version", Integer),
    _ts("built_at", nullable=False),
)


follow_ups = Table(
    "follow_ups",
    metadata,
    Column("follow_up_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("owner_user_id", Id, nullable=False),
    Column("kind", String(10), nullable=False),  # callback | reminder
    _ts("due_at", nullable=False),
    Column("note_enc", LargeBinary),
    Column("status", String(10), nullable=False),  # open | done | cancelled
    Column("created_by", Id, nullable=False),
    _ts("created_at", nullable=False),
    _ts("done_at"),
    Column("handed_over_from", Id),
)
Index("ix_follow_ups_owner_due", follow_ups.c.owner_user_id, follow_ups.c.status, follow_ups.c.due_at)
