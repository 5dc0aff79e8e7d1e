"""ingest accounting: a batch's duplicates, notes and readers

Revision ID: 0008_ingest
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0008_ingest"
down_revision = "0007"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("notes", JSONDoc, nullable=True))
        batch.add_column(sa.Column("reader", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("reader")
        batch.drop_column("notes")
        batch.drop_column("duplicates")
