"""OAI-PMH: lists walk works in datestamp order (``updated_at``, then ``work_id``), page by page."""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables.works import works

ix_works_datestamp = sa.Index("ix_works_datestamp", works.c.updated_at, works.c.work_id)
