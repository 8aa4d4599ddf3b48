"""A note's choice to paraphrase a partner's private exception entry instead of quoting it.

Reviewed: one nullable JSON column, session_note.paraphrases, mapping a cited entry's id (as a
string) to the clinician's own words for it. NULL (every existing note) means every cited entry
is quoted, as before, so the hashes of notes signed already still verify. ADD COLUMN only:
SQLite rebuilds no table. The downgrade drops the column and with it every paraphrase; a note
signed with one then no longer matches its hash (its snapshot still holds the words it showed).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('session_note', sa.Column('paraphrases', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('session_note', 'paraphrases')
