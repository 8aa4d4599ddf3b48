"""What every SQLite connection of a real installation is set to (the suite relaxes durability)."""

import pytest

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
