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
