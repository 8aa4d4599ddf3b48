"""Kept posts: what a clinician sent after their session ended, waiting for them to sign in.

Reviewed: one new table, nothing else touched. A row holds the path and the posted fields
(passwords and CSRF tokens left out) for one user; it is deleted when shown to that user after
they sign in again, and rows older than KEPT_POST_HOURS are dropped at the next showing.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kept_post_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_post'))
    )
    with op.batch_alter_table('kept_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_post_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_post_user_id'))
    op.drop_table('kept_post')
