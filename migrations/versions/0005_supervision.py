"""Supervision pairs: which supervisor may read which clinician's reports.

Reviewed: one row per (supervisor, clinician), unique; looked up by practice for the owner's
page and by supervisor when a report is scoped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['user.id'], name=op.f('fk_supervision_clinician_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_supervision_created_by_id_user')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_supervision_practice_id_practice')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['user.id'], name=op.f('fk_supervision_supervisor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision')),
    sa.UniqueConstraint('supervisor_id', 'clinician_id', name='uq_supervision_pair')
    )
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_practice', ['practice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_practice')

    op.drop_table('supervision')
