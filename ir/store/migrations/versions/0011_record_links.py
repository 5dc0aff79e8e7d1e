"""consolidate: relations between records of different works (versions, notices) and likely duplicates

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "record_links",
        sa.Column("a_source", sa.String(length=16), nullable=False),
        sa.Column("a_source_id", sa.String(length=255), nullable=False),
        sa.Column("b_source", sa.String(length=16), nullable=False),
        sa.Column("b_source_id", sa.String(length=255), nullable=False),
        sa.Column("relation", sa.String(length=24), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", JSONDoc, nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("a_source", "a_source_id", "b_source", "b_source_id", "relation",
                                name=op.f("pk_record_links")),
    )
    op.create_index("ix_record_links_b", "record_links", ["b_source", "b_source_id"], unique=False)
    op.create_index("ix_record_links_relation", "record_links", ["relation"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_links_relation", table_name="record_links")
    op.drop_index("ix_record_links_b", table_name="record_links")
    op.drop_table("record_links")
