"""Password reset requests wait for the worker: the web request writes one row whatever the
address, so known and unknown addresses cannot be told apart by the answer's timing.

Reviewed: email as typed (normalised), the asking address, when; rows are deleted once the
worker handled them, so the table stays near empty (no index needed).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_request'))
    )


def downgrade():
    op.drop_table('reset_request')
