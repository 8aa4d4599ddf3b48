"""Session notes and their signed addenda.

Reviewed: a check constraint ties the signature columns together (a draft has none, a signed
note has signer, time and hash), so a half-signed row cannot exist; notes are looked up per
couple by session date and per clinician by status (reports: unsigned notes older than 72 h).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.String(length=4), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('cited_exception_ids', sa.JSON(), nullable=False),
    sa.Column('scale_today', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'draft' AND signed_at IS NULL AND signed_by_id IS NULL AND content_hash IS NULL) OR (status = 'signed' AND signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND content_hash IS NOT NULL)", name=op.f('ck_session_note_signature')),
    sa.CheckConstraint("attendees in ('both', 'A', 'B')", name=op.f('ck_session_note_attendees')),
    sa.CheckConstraint("status in ('draft', 'signed')", name=op.f('ck_session_note_status')),
    sa.ForeignKeyConstraint(['clinician_id'], ['user.id'], name=op.f('fk_session_note_clinician_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_session_note_couple_id_couple')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user.id'], name=op.f('fk_session_note_signed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_note'))
    )
    with op.batch_alter_table('session_note', schema=None) as batch_op:
        batch_op.create_index('ix_session_note_clinician_status', ['clinician_id', 'status'], unique=False)
        batch_op.create_index('ix_session_note_couple_date', ['couple_id', 'session_date'], unique=False)

    op.create_table('addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_addendum_author_id_user')),
    sa.ForeignKeyConstraint(['note_id'], ['session_note.id'], name=op.f('fk_addendum_note_id_session_note')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addendum'))
    )
    with op.batch_alter_table('addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addendum_note_id'), ['note_id'], unique=False)



def downgrade():
    with op.batch_alter_table('addendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addendum_note_id'))

    op.drop_table('addendum')
    with op.batch_alter_table('session_note', schema=None) as batch_op:
        batch_op.drop_index('ix_session_note_couple_date')
        batch_op.drop_index('ix_session_note_clinician_status')

    op.drop_table('session_note')
