"""The README's production roles on PostgreSQL: the app's role may insert into and read the audit
log and nothing more; TRUNCATE is refused by the trigger even to the owner."""

import os
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.extensions import db

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
README = Path(__file__).resolve().parents[2] / "README.md"


def _grants_for(role: str) -> list[str]:
    """The README's block of grants after each upgrade, for `role` instead of clinic_app."""
    block = re.search(r"```sql\n-- clinic app role grants\n(.*?)```", README.read_text(), re.S)
    assert block, "the README's grants block is missing"
    return [s.strip().replace("clinic_app", role) for s in block.group(1).split(";") if s.strip()]


@pytest.fixture
def app_role(app, make_user):
    """A role of the test's own with the README's grants (dropped afterwards), and a row to read."""
    make_user()
    with db.engine.connect() as conn:
        may = "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        if not conn.scalar(sa.text(may)):
            pytest.skip("the test's database role may not create roles")
    role = f"clinic_app_test_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
        for statement in _grants_for(role):
            conn.exec_driver_sql(statement)
    yield role
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")


def _as(role: str, statement: str):
    """Run `statement` as `role` in a transaction that is rolled back: (ok, error text)."""
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
            conn.exec_driver_sql(statement)
            return True, ""
        except sa.exc.DBAPIError as error:
            return False, str(error.orig)
        finally:
            transaction.rollback()


INSERT = (
    "INSERT INTO audit_event (practice_id, action, at) "
    "SELECT practice_id, 'test.insert', now() FROM audit_event LIMIT 1"
)


def test_the_apps_role_may_insert_and_read_the_audit_log(app_role):
    assert _as(app_role, "SELECT count(*) FROM audit_event") == (True, "")
    assert _as(app_role, INSERT) == (True, "")
    assert _as(app_role, "SELECT count(*) FROM couple")[0]
    assert _as(app_role, "UPDATE couple SET case_label = case_label")[0]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_no_truncate ON audit_event",
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END; "
    "$$ LANGUAGE plpgsql",
    "ALTER TABLE audit_event ADD COLUMN note text",
    "UPDATE alembic_version SET version_num = '0001'",
])
def test_the_apps_role_cannot_rewrite_the_audit_log(app_role, statement):
    ok, error = _as(app_role, statement)

    assert not ok
    assert "permission denied" in error or "must be owner" in error


def test_truncate_is_refused_even_to_the_owner(app, make_user):
    make_user()
    with db.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.exec_driver_sql("TRUNCATE audit_event")
