"""Upgrading a database that holds rows: SQLite's batch mode rebuilds a table (copy, drop,
rename), and with foreign keys on, dropping a table that other rows point at is refused (or
cascades), so a revision that rebuilds one must run with them off and check them after."""

from pathlib import Path

from flask_migrate import upgrade

from clinic import create_app
from clinic.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "INSERT INTO practice (id, name, created_at) VALUES (1, 'P', '2026-01-01 00:00:00.000000')",
    "INSERT INTO user (id, practice_id, email, name, role, password_hash, active, created_at) "
    "VALUES (1, 1, 'o@example.org', 'O', 'owner', 'x', 1, '2026-01-01 00:00:00.000000')",
    "INSERT INTO couple (id, practice_id, primary_clinician_id, case_label, pseudonym, status, "
    "current_stage, created_at) VALUES (1, 1, 1, 'C', 'C-1', 'active', 1, '2026-01-01 00:00:00.000000')",
    "INSERT INTO partner (id, couple_id, position, name) VALUES (1, 1, 'A', 'A')",
    "INSERT INTO exception_entry (id, couple_id, partner_id, occurred_on, context, source, "
    "shared_with_partner, created_at) VALUES (1, 1, 1, '2026-01-01', 'We cooked', 'portal', 0, "
    "'2026-01-01 00:00:00.000000')",
    "INSERT INTO exception_tag (id, entry_id, couple_id, category, value, created_at) "
    "VALUES (1, 1, 1, 'activity', 'cooking', '2026-01-01 00:00:00.000000')",
]


def _filled(connection) -> None:
    """The rows, whatever else the tables ask for (NOT NULL columns get a plain value)."""
    for statement in ROWS:
        table = statement.split()[2]
        columns = connection.exec_driver_sql(f"PRAGMA table_info({table})").all()
        given = statement.split("(", 1)[1].split(")", 1)[0].replace(" ", "").split(",")
        missing = [c for c in columns if c[3] and c[4] is None and not c[5] and c[1] not in given]
        if missing:
            names = ", ".join(c[1] for c in missing)
            values = ", ".join("0" if "INT" in c[2] or "BOOL" in c[2] else "'x'" for c in missing)
            statement = statement.replace(") VALUES (", f", {names}) VALUES (", 1)
            statement = statement[::-1].replace(")", f"){values[::-1]} ,", 1)[::-1]
        connection.exec_driver_sql(statement)


def test_upgrading_an_sqlite_database_with_tagged_entries_keeps_them(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
    })
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as connection:
            _filled(connection)

        upgrade()  # 0017 rebuilds exception_entry, which exception_tag points at

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT entry_id, value FROM exception_tag").all() == [
                (1, "cooking")
            ]
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # pooled: still on
            head = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert head == sorted(p.name.split("_")[0] for p in (ROOT / "migrations/versions").glob("0*.py"))[-1]
        db.session.remove()
        db.engine.dispose()
