"""The CHECK constraints of the domain's words, as clinic.domain's enumerations now write them.

Reviewed: every column holding a domain word (role, couple status, position, change kind,
assignment status, submission state, record source, tag category, note status and attendees,
inbox item kind, safety check-in state) is now declared through clinic.columns.enum_text, whose CHECK lists the members
of the enumeration (`role IN ('owner', ...)`) under the same constraint name as before. The values
allowed do not change; this revision rewrites each definition in that form so a migrated database
holds what the models declare (tests/test_migrations.py compares the CHECKs of both, which
autogenerate does not). No row changes.

PostgreSQL drops and re-adds each constraint (re-checked against the rows, which already obey it).
SQLite cannot alter a constraint, so batch mode rebuilds the table: copy, drop, rename. Several of
these tables are referenced by foreign keys; migrations/env.py turns their enforcement off around
the migration (as SQLite's documented rebuild procedure does) and runs `PRAGMA foreign_key_check`
before the commit, so the rebuilt table stands under its old name with the same rows and ids.

The value lists are written out here, not imported: a revision must not change when the
enumerations later do.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# table -> (constraint name as declared, column, allowed values) at this revision.
CHECKS = {
    'user': [('role', 'role', ('owner', 'clinician', 'supervisor'))],
    'couple': [('status', 'status', ('active', 'paused', 'closed'))],
    'partner': [('position', 'position', ('A', 'B'))],
    'couple_change': [('kind', 'kind', ('created', 'stage', 'status'))],
    'assignment': [('status', 'status', ('assigned', 'started', 'submitted', 'reviewed', 'withdrawn'))],
    'submission': [('state', 'state', ('draft', 'submitted'))],
    'exception_entry': [('source', 'source', ('portal', 'session'))],
    'scale_placement': [('source', 'source', ('portal', 'session'))],
    'exception_tag': [('category', 'category', ('activity', 'time', 'place', 'initiator'))],
    'session_note': [
        ('status', 'status', ('draft', 'signed')),
        ('attendees', 'attendees', ('both', 'A', 'B')),
    ],
    'inbox_read': [('kind', 'kind', ('submission', 'exception', 'scale'))],
    'safety_checkin': [('state', 'state', ('open', 'submitted'))],
}


def _rewrite(operator):
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, column, values in checks:
                listed = ', '.join(f"'{value}'" for value in values)
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), f'{column} {operator} ({listed})')


def upgrade():
    _rewrite('IN')


def downgrade():
    # The spelling 0001-0009 wrote; the same values.
    _rewrite('in')
