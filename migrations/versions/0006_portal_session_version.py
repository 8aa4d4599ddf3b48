"""Portal sessions end on the server: a per-partner session version.

Reviewed: one integer column on partner, 1 for every existing partner (server default), bumped
when the partner leaves the portal and when their link is revoked or re-issued. Portal cookies
issued before this revision carry no version and are refused, so partners open their link again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('portal_session_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('portal_session_version')
