"""Outgoing mail: the outbox (outbound_message) and a practice's reply-to address.

Reviewed: status is a short string with a CHECK constraint (the MessageStatus enum); the worker
looks up due rows by (status, next_attempt_at), the couple page its failures by (couple_id,
status), the owner's list by (practice_id, status), the link page by (partner_id, kind);
dedupe_key is unique and nullable (many NULLs allowed on SQLite and PostgreSQL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('to_name', sa.String(length=160), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('sealed', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'cancelled', name='status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('couple_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_outbound_message_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_outbound_message_partner_id_partner')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_outbound_message_practice_id_practice')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbound_message_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_message_dedupe_key'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbound_message_couple', ['couple_id', 'status'], unique=False)
        batch_op.create_index('ix_outbound_message_practice_status', ['practice_id', 'status'], unique=False)
        batch_op.create_index('ix_outbound_message_partner_kind', ['partner_id', 'kind'], unique=False)

    # Plain ADD/DROP COLUMN (SQLite 3.35+): a batch rebuild of practice, which every table
    # references, is refused on a populated SQLite database.
    op.add_column('practice', sa.Column('reply_to', sa.String(length=254), nullable=True))


def downgrade():
    op.drop_column('practice', 'reply_to')

    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_message_partner_kind')
        batch_op.drop_index('ix_outbound_message_practice_status')
        batch_op.drop_index('ix_outbound_message_couple')
        batch_op.drop_index('ix_outbound_message_due')

    op.drop_table('outbound_message')
