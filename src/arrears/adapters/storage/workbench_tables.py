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
    Text,
    UniqueConstraint,
    false,
)

from arrears.adapters.storage.tables import Id, account_record, done_by, instant, serial, table

users = table(
    "users",
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
    instant("locked_until"),
    instant("created_at", nullable=False),
    instant("last_login_at"),
    # a password someone else chose (generated for a new user, or a reset) is changed at first login
    Column("password_change_required", Boolean, nullable=False, server_default=false()),
)

api_tokens = table(
    "api_tokens",
    Column("token_id", Id, primary_key=True),
    Column("user_id", Id, nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    instant("created_at", nullable=False),
    instant("expires_at", nullable=False),
    instant("revoked_at"),
)

service_tokens = table(  # systems (a dialer, a gateway), not people; the token is shown once, kept hashed
    "service_tokens",
    Column("token_id", Id, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("scopes", Text, nullable=False),  # ServiceScope values, space-separated
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    *done_by("created"),  # created_by: user:<username> or cli:<operator>
    instant("expires_at"),
    instant("revoked_at"),
    instant("last_used_at"),
)

web_sessions = table(
    "web_sessions",
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Id, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    instant("created_at", nullable=False),
    instant("expires_at", nullable=False),
    instant("revoked_at"),
)

access_audit = table(
    "access_audit",
    serial("audit_id"),
    instant("at", nullable=False),
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
    Column("prev_hash", String(64)),  # the hash chain (domain.audit_chain), set when sealed
    Column("row_hash", String(64)),
)
Index("ix_access_audit_at", access_audit.c.at)
Index("ix_access_audit_kind_at", access_audit.c.kind, access_audit.c.at)
Index("ix_access_audit_account", access_audit.c.account_id)

work_items = table(
    "work_items",
    serial("item_id"),
    Column("queue_date", Date, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("priority", Integer, nullable=False),  # larger first
    Column("reason", Text, nullable=False),
    Column("best_hour", Integer),
    Column("status", String(10), nullable=False),  # open | assigned | done
    Column("assigned_to", Id),
    instant("assigned_at"),
    instant("lease_until"),
    instant("done_at"),
    UniqueConstraint("queue_date", "account_id", name="uq_work_items_day_account"),
)
Index("ix_work_items_pick", work_items.c.queue_date, work_items.c.status, work_items.c.priority)
Index("ix_work_items_assignee", work_items.c.assigned_to, work_items.c.status)

# A skip of a day's queue item: by a collector (with their reason) or by the queue itself (the
# gate allowed no call or text now); the account rests (is not handed out) until ``rest_until``.
queue_skips = table(
    "queue_skips",
    serial("skip_id"),
    Column("queue_date", Date, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("user_id", Id),  # None: the queue skipped it (nobody may contact the account now)
    Column("reason", String(30), nullable=False),  # domain.work_queue.SkipReason
    instant("at", nullable=False),
    instant("rest_until", nullable=False),
)
Index("ix_queue_skips_rest", queue_skips.c.queue_date, queue_skips.c.account_id, queue_skips.c.rest_until)

# How a day's queue was built: from which version of the day's stored plan (None: the scores),
# so that a plan stored later the same day rebuilds the waiting part of the queue.
queue_builds = table(
    "queue_builds",
    Column("queue_date", Date, primary_key=True),
    Column("plan_version", Integer),
    instant("built_at", nullable=False),
)


follow_ups = table(
    "follow_ups",
    *account_record("follow_up_id"),
    Column("owner_user_id", Id, nullable=False),
    Column("kind", String(10), nullable=False),  # callback | reminder
    instant("due_at", nullable=False),
    Column("note_enc", LargeBinary),
    Column("status", String(10), nullable=False),  # open | done | cancelled
    Column("created_by", Id, nullable=False),
    instant("created_at", nullable=False),
    instant("done_at"),
    Column("handed_over_from", Id),
)
Index("ix_follow_ups_owner_due", follow_ups.c.owner_user_id, follow_ups.c.status, follow_ups.c.due_at)

# Training a collector completed (培训记录), entered in the workbench by an administrator. The agent's
# training date (agents.training_valid_until, which every check reads) is the later of the portfolio
# file's and the latest record's.
training_records = table(
    "training_records",
    serial("record_id"),
    Column("agent_id", Id, nullable=False, index=True),
    Column("course", String(100), nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    *done_by("recorded"),
)
