"""What a note PDF's header prints: the practice's address and each clinician's credentials.

Reviewed: two nullable columns, practice.address (free text, several lines) and
user.credentials (e.g. "MA, licensed marriage and family therapist"). Existing rows keep NULL
and their PDFs simply leave the line out. ADD COLUMN only: SQLite rebuilds no table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('practice', sa.Column('address', sa.Text(), nullable=True))
    op.add_column('user', sa.Column('credentials', sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column('user', 'credentials')
    op.drop_column('practice', 'address')
