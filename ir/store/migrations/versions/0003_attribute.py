"""attribute: authorships, the people each suggestion goes to, dictionaries snapshot

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authorships',
    sa.Column('work_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('person_id', sa.String(length=64), nullable=True),
    sa.Column('org_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('is_ours', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_first', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_corresponding', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('decided_by', sa.String(length=120), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('rejected_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('decision_hash', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('work_id', 'position', name=op.f('pk_authorships'))
    )
    with op.batch_alter_table('authorships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorships_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorships_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorships_status'), ['status'], unique=False)

    op.create_table('authorship_candidates',
    sa.Column('work_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('org_id', sa.String(length=64), nullable=True),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('work_id', 'position', 'person_id', name=op.f('pk_authorship_candidates'))
    )
    with op.batch_alter_table('authorship_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_authorship_candidates_person_id', ['person_id'], unique=False)

    op.create_table('dict_organizations',
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('variants', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('extra', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('row_hash', sa.String(length=40), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_dict_organizations'))
    )
    op.create_table('dict_people',
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('appointment', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('variants', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('orcid', sa.String(length=19), nullable=True),
    sa.Column('researcher_id', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=True),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.String(length=64), nullable=True),
    sa.Column('extra', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('row_hash', sa.String(length=40), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_id', 'appointment', name=op.f('pk_dict_people'))
    )
    with op.batch_alter_table('dict_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dict_people_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dict_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dict_people_org_id'))

    op.drop_table('dict_people')
    op.drop_table('dict_organizations')
    with op.batch_alter_table('authorship_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_authorship_candidates_person_id')

    op.drop_table('authorship_candidates')
    with op.batch_alter_table('authorships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorships_status'))
        batch_op.drop_index(batch_op.f('ix_authorships_person_id'))
        batch_op.drop_index(batch_op.f('ix_authorships_org_id'))

    op.drop_table('authorships')
