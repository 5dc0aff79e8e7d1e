"""harvest: runs, per-query cursors, DOI look-ups; OAI-PMH: works in datestamp order

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        *[sa.Column(name, sa.Integer(), server_default="0", nullable=False)
          for name in ("fetched", "new", "updated", "unchanged", "skipped", "failed")],
        sa.Column("detail", JSONDoc, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_runs")),
    )
    op.create_table(
        "harvest_cursors",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("query_key", sa.String(length=255), nullable=False),
        sa.Column("query", JSONDoc, nullable=False),
        sa.Column("since", sa.String(length=32), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("pass_since", sa.String(length=32), nullable=True),
        sa.Column("pass_started", sa.String(length=32), nullable=True),
        sa.Column("pass_fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("source", "query_key", name=op.f("pk_harvest_cursors")),
    )
    op.create_table(
        "harvest_lookups",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("doi", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.Column("checked_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("source", "doi", name=op.f("pk_harvest_lookups")),
    )


    op.create_index("ix_works_datestamp", "works", ["updated_at", "work_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_works_datestamp", table_name="works")
    op.drop_table("harvest_lookups")
    op.drop_table("harvest_cursors")
    op.drop_table("harvest_runs")
