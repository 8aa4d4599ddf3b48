"""Assignments and submissions, exception entries and scale placements, portal links.

Reviewed: every table is scoped through couple_id (and partner_id where one person owns the
row); portal links keep only a SHA-256 of the token (unique); exception entries and scale
placements are indexed by (partner, day) and (couple, day) for the timelines and charts; the
idempotency keys are unique so a retried portal post is stored once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('joint', sa.Boolean(), nullable=False),
    sa.Column('exercise_key', sa.String(length=60), nullable=False),
    sa.Column('exercise_version', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status in ('assigned', 'started', 'submitted', 'reviewed', 'withdrawn')", name=op.f('ck_assignment_status')),
    sa.CheckConstraint('(joint AND partner_id IS NULL) OR (NOT joint AND partner_id IS NOT NULL)', name=op.f('ck_assignment_assignee')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_assignment_couple_id_couple')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_assignment_created_by_id_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_assignment_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_couple_status', ['couple_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_partner_id'), ['partner_id'], unique=False)

    op.create_table('portal_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_portal_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_portal_link_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_link_token_hash'))
    )
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_link_partner_id'), ['partner_id'], unique=False)

    op.create_table('exception_entry',
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('behaviour', sa.Text(), nullable=True),
    sa.Column('thoughts', sa.Text(), nullable=True),
    sa.Column('feelings', sa.Text(), nullable=True),
    sa.Column('meaning', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('shared_with_partner', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.CheckConstraint("source in ('portal', 'session')", name=op.f('ck_exception_entry_source')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_exception_entry_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_exception_entry_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_exception_entry_partner_id_partner')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_exception_entry_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_entry')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_exception_entry_idempotency_key'))
    )
    with op.batch_alter_table('exception_entry', schema=None) as batch_op:
        batch_op.create_index('ix_exception_entry_couple_day', ['couple_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_exception_entry_partner_day', ['partner_id', 'occurred_on'], unique=False)

    op.create_table('scale_placement',
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('movement', sa.Text(), nullable=True),
    sa.Column('keeps_from_lower', sa.Text(), nullable=True),
    sa.Column('one_higher', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('shared_with_partner', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.CheckConstraint("source in ('portal', 'session')", name=op.f('ck_scale_placement_source')),
    sa.CheckConstraint('value between 1 and 10', name=op.f('ck_scale_placement_value')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_scale_placement_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_scale_placement_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_scale_placement_partner_id_partner')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_scale_placement_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_placement')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_scale_placement_idempotency_key'))
    )
    with op.batch_alter_table('scale_placement', schema=None) as batch_op:
        batch_op.create_index('ix_scale_placement_couple_day', ['couple_id', 'placed_on'], unique=False)
        batch_op.create_index('ix_scale_placement_partner_day', ['partner_id', 'placed_on'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('exercise_key', sa.String(length=60), nullable=False),
    sa.Column('exercise_version', sa.Integer(), nullable=False),
    sa.Column('prompts', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('shared_with_partner', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state in ('draft', 'submitted')", name=op.f('ck_submission_state')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_submission_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_submission_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_submission_partner_id_partner')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_submission_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_submission_assignment_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_couple_submitted', ['couple_id', 'submitted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_couple_submitted')

    op.drop_table('submission')
    with op.batch_alter_table('scale_placement', schema=None) as batch_op:
        batch_op.drop_index('ix_scale_placement_partner_day')
        batch_op.drop_index('ix_scale_placement_couple_day')

    op.drop_table('scale_placement')
    with op.batch_alter_table('exception_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_exception_entry_partner_day')
        batch_op.drop_index('ix_exception_entry_couple_day')

    op.drop_table('exception_entry')
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_link_partner_id'))

    op.drop_table('portal_link')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_partner_id'))
        batch_op.drop_index('ix_assignment_couple_status')

    op.drop_table('assignment')
