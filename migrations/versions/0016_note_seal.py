"""Keyed seals on signed notes: the key id, the note's HMAC and the HMAC over its addenda.

Reviewed: three nullable columns on session_note. The keys themselves live in configuration
(NOTE_SEAL_KEYS), never in the database, so this revision cannot seal the notes already signed:
`flask seal-notes` does, after checking that each one still matches its SHA-256 (a note that no
longer does is reported and left unsealed). ADD COLUMN only: SQLite rebuilds no table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('session_note', sa.Column('seal_key_id', sa.String(length=40), nullable=True))
    op.add_column('session_note', sa.Column('seal', sa.String(length=64), nullable=True))
    op.add_column('session_note', sa.Column('addenda_seal', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('session_note', 'addenda_seal')
    op.drop_column('session_note', 'seal')
    op.drop_column('session_note', 'seal_key_id')
