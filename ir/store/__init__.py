"""The store: SQLAlchemy 2 over SQLite (default, a file under ./var/) or PostgreSQL (IR_DATABASE_URL).

The schema is the tables in :mod:`ir.store.tables` (one module per stage); Alembic migrations in
``ir/store/migrations`` create and evolve it. :func:`open_store` brings a database up to date.
"""

from __future__ import annotations

from ir.store.engine import Store, open_store, upsert  # noqa: F401
