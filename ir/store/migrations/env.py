"""Alembic environment: migrations run on the connection ir hands over (see ir.store.engine.migrate)."""

from alembic import context

from ir.store import tables

target_metadata = tables.load()
connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line: use IR_DATABASE_URL
    from ir.config import Settings
    from ir.store.engine import make_engine

    connection = make_engine(Settings.from_env().database_url).connect()

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
