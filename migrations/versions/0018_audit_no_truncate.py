"""The audit log refuses TRUNCATE too (PostgreSQL).

Reviewed: 0001's trigger refuses UPDATE and DELETE row by row, but TRUNCATE fires no row
trigger, so one statement could empty the log. A statement-level BEFORE TRUNCATE trigger now
raises the same error. SQLite has no TRUNCATE (its DELETE without WHERE still fires the row
trigger), so nothing changes there.

What a migration cannot do: stop the table's owner (or a superuser) from disabling or dropping
a trigger. Run the migrations as an owner role and the app as a role that may only insert into
and read the audit table; the README's "Database roles" gives the SQL, and
tests/audit/test_database_roles.py runs it. The REVOKE below only makes the default explicit:
no privilege on the table for PUBLIC.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    )
    op.execute("REVOKE ALL ON audit_event FROM PUBLIC")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
