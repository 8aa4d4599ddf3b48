"""Single-use return addresses in reminders.

Reviewed: a reminder's portal address was the link's id signed with the secret key, usable any
number of times for 14 days by whoever read the message. Each reminder now carries a random
token made by the worker as it sends the message; only its SHA-256 is stored here, it opens the
portal once, within PORTAL_RETURN_DAYS (7), and only while the partner's link works. One new
table, nothing else touched; addresses in reminders sent before this revision stop working (the
partner's own link is unchanged).

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['portal_link.id'], name=op.f('fk_portal_return_link_id_portal_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_return')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_return_token_hash'))
    )
    with op.batch_alter_table('portal_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_return_link_id'), ['link_id'], unique=False)


def downgrade():
    with op.batch_alter_table('portal_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_return_link_id'))
    op.drop_table('portal_return')
