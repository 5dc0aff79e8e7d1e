"""The audit log: every change a person makes (claims, reviews, splits, merges), before and after."""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(120), nullable=False),  # account name, or "pipeline"
    sa.Column("role", sa.String(40)),  # faculty | librarian | research_office | admin | cli
    sa.Column("action", sa.String(40), nullable=False),  # claim | reject | confirm | reassign | split | merge ...
    sa.Column("object_type", sa.String(40), nullable=False),  # authorship | work | ...
    sa.Column("object_id", sa.String(120), nullable=False, index=True),
    sa.Column("before", JSONDoc),
    sa.Column("after", JSONDoc),
    sa.Column("note", sa.Text),
)
