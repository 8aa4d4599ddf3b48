"""The inbox reads portal entries and placements from covering indexes; the caseload's order
is an index's order on PostgreSQL too.

Reviewed: the inbox lists a caseload's portal items (source 'portal'), and its badge counts those
that came in since the clinician's cursor. The (couple, created_at) indexes of 0012 left the
source to the table, so at the size of a large practice PostgreSQL read the whole exception log
(a parallel sequential scan of 200,000 rows) for one clinician's page. Each is replaced by
(couple, source, created_at, partner, id): the source is part of the seek, and every column the
inbox and the attention list read is in the index (an index-only scan; SQLite keeps the rowid in
every index already).

The caseload and its attention list walk a practice's couples most recent activity first, then
by id: (practice, last_activity_at) served the first key only, so PostgreSQL sorted each run of
equal times before it could stop at a page's end. The index takes the id as its last column
(SQLite's indexes end with the rowid anyway).

The downgrade restores the earlier indexes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

TABLES = ('exception_entry', 'scale_placement')


def upgrade():
    op.drop_index('ix_couple_practice_activity', table_name='couple')
    op.create_index('ix_couple_practice_activity', 'couple', ['practice_id', 'last_activity_at', 'id'],
                    unique=False)
    for table in TABLES:
        op.drop_index(f'ix_{table}_couple_created', table_name=table)
        op.create_index(f'ix_{table}_couple_source_created', table,
                        ['couple_id', 'source', 'created_at', 'partner_id', 'id'], unique=False)


def downgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_couple_source_created', table_name=table)
        op.create_index(f'ix_{table}_couple_created', table, ['couple_id', 'created_at'], unique=False)
    op.drop_index('ix_couple_practice_activity', table_name='couple')
    op.create_index('ix_couple_practice_activity', 'couple', ['practice_id', 'last_activity_at'], unique=False)
