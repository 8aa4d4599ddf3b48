"""Safety in couples work: the clinician-only flag, the practice's safety settings, private
check-ins, danger words found in partners' text, and shares released under a flag.

Reviewed: five new tables, nothing existing altered (no table is rebuilt on SQLite). A flag is
never deleted: clearing fills cleared_at/by/reason together (a CHECK keeps the three in step), so
the history of flags stays. danger_signal keeps where the words are and which words, never the
text around them. Plain CREATE INDEX statements.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('safety_settings',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('sharing_policy', sa.String(length=10), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=True),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('offer_at_first_visit', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("sharing_policy in ('confirm', 'off')", name=op.f('ck_safety_settings_sharing_policy')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_safety_settings_practice_id_practice')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_safety_settings_updated_by_id_user')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_safety_settings'))
    )
    op.create_table('share_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('exception', 'scale', 'submission')", name=op.f('ck_share_release_kind')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_share_release_couple_id_couple')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user.id'], name=op.f('fk_share_release_released_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_release')),
    sa.UniqueConstraint('kind', 'item_id', name='uq_share_release_kind_item')
    )
    op.create_index('ix_share_release_couple', 'share_release', ['couple_id'], unique=False)
    op.create_table('danger_signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source in ('exception', 'scale', 'submission', 'checkin')", name=op.f('ck_danger_signal_source')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_danger_signal_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_danger_signal_partner_id_partner')),
    sa.ForeignKeyConstraint(['seen_by_id'], ['user.id'], name=op.f('fk_danger_signal_seen_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_danger_signal'))
    )
    op.create_index('ix_danger_signal_couple_seen', 'danger_signal', ['couple_id', 'seen_at'], unique=False)
    op.create_table('safety_checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state in ('open', 'submitted')", name=op.f('ck_safety_checkin_state')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_safety_checkin_couple_id_couple')),
    sa.ForeignKeyConstraint(['offered_by_id'], ['user.id'], name=op.f('fk_safety_checkin_offered_by_id_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_safety_checkin_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_checkin'))
    )
    op.create_index(op.f('ix_safety_checkin_couple_id'), 'safety_checkin', ['couple_id'], unique=False)
    op.create_index('ix_safety_checkin_partner_state', 'safety_checkin', ['partner_id', 'state'], unique=False)
    op.create_table('safety_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clear_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('(cleared_at IS NULL AND cleared_by_id IS NULL AND clear_reason IS NULL) OR (cleared_at IS NOT NULL AND cleared_by_id IS NOT NULL AND clear_reason IS NOT NULL)', name=op.f('ck_safety_flag_cleared')),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['user.id'], name=op.f('fk_safety_flag_cleared_by_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_safety_flag_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_safety_flag_partner_id_partner')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('fk_safety_flag_set_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_flag'))
    )
    op.create_index('ix_safety_flag_couple_cleared', 'safety_flag', ['couple_id', 'cleared_at'], unique=False)



def downgrade():
    op.drop_index('ix_safety_flag_couple_cleared', table_name='safety_flag')
    op.drop_table('safety_flag')
    op.drop_index('ix_safety_checkin_partner_state', table_name='safety_checkin')
    op.drop_index(op.f('ix_safety_checkin_couple_id'), table_name='safety_checkin')
    op.drop_table('safety_checkin')
    op.drop_index('ix_danger_signal_couple_seen', table_name='danger_signal')
    op.drop_table('danger_signal')
    op.drop_index('ix_share_release_couple', table_name='share_release')
    op.drop_table('share_release')
    op.drop_table('safety_settings')
