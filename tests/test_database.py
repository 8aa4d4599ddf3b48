"""What every SQLite connection of a real installation is set to (the suite relaxes durability)."""

import pytest
import sqlalchemy as sa

from clinic import create_app
from clinic.extensions import db


def _pragmas(config: dict) -> dict:
    app = create_app(config)
    with app.app_context():
        with db.engine.connect() as conn:
            found = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("synchronous", "journal_mode", "foreign_keys", "busy_timeout")
            }
        db.engine.dispose()
    return found


def test_a_real_installation_writes_every_commit_to_disk(tmp_path):
    """Durability is only relaxed for the suite's throwaway databases (tests/conftest.py)."""
    shipped = _pragmas({
        "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shipped.sqlite3'}",
    })

    assert shipped == {"synchronous": 2, "journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}


def test_the_suite_database_skips_fsync_and_nothing_else(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_an_unknown_synchronous_level_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        _pragmas({
            "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SQLITE_SYNCHRONOUS": "OFF; DROP TABLE user",
        })


# --- which transactions take the write lock (SQLite) --------------------------------------------

def _other_writer(app):
    """A second connection to the same file that gives up at once when the write lock is taken."""
    import sqlite3

    return sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)


@pytest.mark.parametrize(("method", "blocks"), [("GET", False), ("HEAD", False), ("POST", True)])
def test_a_page_that_only_reads_never_holds_the_write_lock(app, make_user, method, blocks):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    import sqlite3

    from clinic.auth.models import User

    user_id = make_user().id
    db.session.rollback()  # the test's own transaction (begun outside a request) ends here
    with app.test_request_context("/couples/", method=method):
        assert db.session.get(User, user_id, populate_existing=True) is not None  # a read, open
        other = _other_writer(app)
        try:
            if blocks:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            else:
                other.execute("BEGIN IMMEDIATE")  # a form post elsewhere is not kept waiting
                other.execute("ROLLBACK")
        finally:
            other.close()
            db.session.rollback()


def test_a_read_is_audited_even_when_someone_wrote_since_it_began(app, make_user):
    """The audit row of a page that reads is written in a transaction of its own: a deferred read
    that later writes would fail at once (SQLITE_BUSY_SNAPSHOT) once another writer committed."""
    from clinic.audit.models import AuditEvent
    from clinic.audit.services import record_access
    from clinic.auth.models import User

    user = make_user()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    db.session.rollback()  # the test's own transaction (begun outside a request) ends here
    with app.test_request_context("/couples/", method="GET"):
        reader = db.session.get(User, user.id, populate_existing=True)
        with db.engine.connect() as other, other.begin():  # another request's write, committed
            other.execute(sa.update(User).where(User.id == user.id).values(name="Renamed"))
        record_access("caseload.view", user=reader)
        db.session.rollback()
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert after == before + 1
