"""A signed note's snapshot: what its page and PDF show, frozen when it is signed.

Reviewed: one nullable JSON column on session_note. Drafts and notes signed before this
revision keep NULL (their page is drawn as of their session from the records, as before; their
hash never covered a snapshot, so nothing is back-filled into a signed row). ADD COLUMN only:
SQLite rebuilds no table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('session_note', sa.Column('snapshot', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('session_note', 'snapshot')
