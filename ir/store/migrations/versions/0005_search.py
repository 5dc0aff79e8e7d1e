"""search: search index state

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_state",
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("work_id", sa.String(length=32), nullable=False),
        sa.Column("doc_hash", sa.String(length=64), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", "work_id", name=op.f("pk_search_state")),
    )


def downgrade() -> None:
    op.drop_table("search_state")
