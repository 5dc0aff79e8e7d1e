"""Repository: the accounts of the web UI (local passwords or institutional single sign-on).

The audit log lives in :mod:`ir.store.tables.audit`; every change made through the web UI is recorded
there under the account's ``username``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import UTCDateTime, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(120), nullable=False, unique=True),  # the audit log's actor
    sa.Column("display_name", sa.Text),
    sa.Column("email", sa.String(255)),
    sa.Column("role", sa.String(40), nullable=False),  # faculty | librarian | research_office | admin
    sa.Column("person_id", sa.String(64), index=True),  # the faculty member's person in the dictionaries
    sa.Column("password_hash", sa.Text),  # argon2id; NULL for accounts that sign in through the trusted header
    sa.Column("auth_source", sa.String(16), nullable=False, server_default="local"),  # local | header
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_login_at", UTCDateTime),
)

# Signed-in sessions of local accounts: the session cookie carries a random token, this table its
# SHA-256. Signing out deletes the row, a password change deletes every row of the account: a copied
# or replayed cookie then signs in no one.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("client", sa.String(64)),  # the address the session was opened from
)

# Failed sign-ins, for throttling per account and per client address (rows older than the window go).
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(120), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
)

# A faculty member's claim of an author position the pipeline gave to someone else: it waits in the
# librarians' review queue (open) until a librarian accepts it (the position is reassigned to the
# claimant) or declines it.
claim_requests = sa.Table(
    "claim_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("work_id", sa.String(32), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),  # the claimant
    sa.Column("requested_by", sa.String(120), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open | accepted | declined
    sa.Column("decided_by", sa.String(120)),
    sa.Column("decided_at", UTCDateTime),
    sa.Index("ix_claim_requests_work_id_position", "work_id", "position"),
)
