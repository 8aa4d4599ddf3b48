"""Tags on exception-log entries: the conditions under which exceptions come.

Reviewed: one row per (entry, category, value), unique; counted per couple and category for
the pattern view, hence the (couple_id, category) index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exception_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('added_by_user_id', sa.Integer(), nullable=True),
    sa.Column('added_by_partner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category in ('activity', 'time', 'place', 'initiator')", name=op.f('ck_exception_tag_category')),
    sa.ForeignKeyConstraint(['added_by_partner_id'], ['partner.id'], name=op.f('fk_exception_tag_added_by_partner_id_partner')),
    sa.ForeignKeyConstraint(['added_by_user_id'], ['user.id'], name=op.f('fk_exception_tag_added_by_user_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_exception_tag_couple_id_couple')),
    sa.ForeignKeyConstraint(['entry_id'], ['exception_entry.id'], name=op.f('fk_exception_tag_entry_id_exception_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_tag')),
    sa.UniqueConstraint('entry_id', 'category', 'value', name='uq_exception_tag_entry_value')
    )
    with op.batch_alter_table('exception_tag', schema=None) as batch_op:
        batch_op.create_index('ix_exception_tag_couple_category', ['couple_id', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_exception_tag_entry_id'), ['entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('exception_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exception_tag_entry_id'))
        batch_op.drop_index('ix_exception_tag_couple_category')

    op.drop_table('exception_tag')
