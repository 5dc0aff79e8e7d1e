"""Alembic environment: migrations run on the connection ir hands over (see ir.store.engine.migrate)."""

from alembic import context

from ir.store import tables

target_metadata = tables.load()
connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line: use IR_DATABASE_URL
    from ir.config import Settings
    from ir.store.engine import make_engine

    connection = make_engine(Settings.from_env().database_url).connect()


def include_name(name, type_, parent_names) -> bool:
    """The embedded search index (ir.search.embedded, tables ``searchidx_*``) is rebuilt from the
    database, not migrated: autogenerate leaves it alone."""
    return not (type_ in ("table", "index") and (name or "").startswith("searchidx_"))


context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                  include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
