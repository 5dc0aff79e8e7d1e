"""consolidate: works

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:49:56.954760
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('a_source', sa.String(length=16), nullable=False),
    sa.Column('a_source_id', sa.String(length=255), nullable=False),
    sa.Column('b_source', sa.String(length=16), nullable=False),
    sa.Column('b_source_id', sa.String(length=255), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_decisions'))
    )
    op.create_table('works',
    sa.Column('work_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('merged_into', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('doi', sa.String(length=255), nullable=True),
    sa.Column('doc_type', sa.String(length=40), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_works'))
    )
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.create_index('ix_works_doi', ['doi'], unique=False)
        batch_op.create_index('ix_works_year', ['year'], unique=False)

    op.create_table('work_members',
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=255), nullable=False),
    sa.Column('work_id', sa.String(length=32), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.work_id'], name=op.f('fk_work_members_work_id_works')),
    sa.PrimaryKeyConstraint('source', 'source_id', name=op.f('pk_work_members'))
    )
    with op.batch_alter_table('work_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_members_work_id'), ['work_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('work_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_members_work_id'))

    op.drop_table('work_members')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_index('ix_works_year')
        batch_op.drop_index('ix_works_doi')

    op.drop_table('works')
    op.drop_table('work_decisions')
