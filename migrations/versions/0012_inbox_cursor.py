"""The inbox's cursor per clinician, and the indexes its "what came in since" question uses.

Reviewed: "mark all read" now moves one row per user (inbox_cursor) instead of writing a read
mark per item, so the badge on every page only reads what came in after the cursor; the two
indexes let that read seek by couple and time on exception entries and scale placements
(submissions already have one on couple and submitted_at). Plain CREATE statements: no table
is rebuilt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbox_cursor',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_through', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inbox_cursor_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_inbox_cursor'))
    )
    op.create_index('ix_exception_entry_couple_created', 'exception_entry', ['couple_id', 'created_at'], unique=False)
    op.create_index('ix_scale_placement_couple_created', 'scale_placement', ['couple_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_scale_placement_couple_created', table_name='scale_placement')
    op.drop_index('ix_exception_entry_couple_created', table_name='exception_entry')
    op.drop_table('inbox_cursor')
