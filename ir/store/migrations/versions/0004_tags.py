"""tags: journal lists, work tags, indexes, highly cited history

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "journal_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list", sa.String(length=40), nullable=False),
        sa.Column("edition_year", sa.Integer(), nullable=False),
        sa.Column("issn", sa.String(length=9), nullable=True),
        sa.Column("eissn", sa.String(length=9), nullable=True),
        sa.Column("cn", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("title_key", sa.Text(), nullable=True),
        sa.Column("abbreviation", sa.Text(), nullable=True),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=200), server_default="", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_list_entries")),
    )
    op.create_index("ix_journal_list_entries_issn", "journal_list_entries", ["issn"], unique=False)
    op.create_index("ix_journal_list_entries_list_year", "journal_list_entries", ["list", "edition_year"], unique=False)

    op.create_table(
        "work_tags",
        sa.Column("work_id", sa.String(length=32), nullable=False),
        sa.Column("list", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=200), server_default="", nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("edition_year", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), server_default="100", nullable=False),
        sa.Column("best", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("evidence", JSONDoc, nullable=True),
        sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("work_id", "list", "category", name=op.f("pk_work_tags")),
    )
    op.create_index("ix_work_tags_list_value", "work_tags", ["list", "value"], unique=False)

    op.create_table(
        "work_indexes",
        sa.Column("work_id", sa.String(length=32), nullable=False),
        sa.Column("index_code", sa.String(length=16), nullable=False),
        sa.Column("derived_from", sa.String(length=16), nullable=False),
        sa.Column("evidence", JSONDoc, nullable=True),
        sa.PrimaryKeyConstraint("work_id", "index_code", "derived_from", name=op.f("pk_work_indexes")),
    )
    op.create_index("ix_work_indexes_index_code", "work_indexes", ["index_code"], unique=False)

    op.create_table(
        "highly_cited_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("flag", sa.String(length=2), nullable=False),
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("work_id", sa.String(length=32), nullable=True),
        sa.Column("ut", sa.String(length=64), nullable=True),
        sa.Column("doi", sa.String(length=255), nullable=True),
        sa.Column("research_field", sa.String(length=80), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_highly_cited_history")),
        sa.UniqueConstraint("record_key", "flag", "snapshot_date",
                            name=op.f("uq_highly_cited_history_record_key_flag_snapshot_date")),
    )
    op.create_index(op.f("ix_highly_cited_history_work_id"), "highly_cited_history", ["work_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_highly_cited_history_work_id"), table_name="highly_cited_history")
    op.drop_table("highly_cited_history")
    op.drop_index("ix_work_indexes_index_code", table_name="work_indexes")
    op.drop_table("work_indexes")
    op.drop_index("ix_work_tags_list_value", table_name="work_tags")
    op.drop_table("work_tags")
    op.drop_index("ix_journal_list_entries_list_year", table_name="journal_list_entries")
    op.drop_index("ix_journal_list_entries_issn", table_name="journal_list_entries")
    op.drop_table("journal_list_entries")
