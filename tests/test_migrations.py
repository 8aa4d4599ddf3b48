"""Migrations: an empty database upgrades to exactly the models' schema, and back down again.

Runs on a SQLite file, and when TEST_DATABASE_URL is set also on a throw-away PostgreSQL
database created next to the test database.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.columns import enum_text
from clinic.database import normalise_url
from clinic.domain import Role
from clinic.extensions import db
from clinic.sealing import open_text

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")
PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_NAME = f"clinic_migration_test_{os.getpid()}"  # concurrent runs must not share it


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = sa.engine.make_url(normalise_url(PG_URL))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {PG_NAME}"))
    try:
        yield server.set(database=PG_NAME).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)"))
        admin.dispose()


def _import_every_model() -> None:
    """A model the app does not import yet would otherwise be missing from the comparison."""
    for path in (ROOT / "clinic").rglob("models.py"):
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


@pytest.fixture
def empty_app(empty_database_url, tmp_path):
    _import_every_model()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(empty_app):
    assert _tables() == set()

    upgrade(directory=MIGRATIONS)

    assert _tables() == set(db.metadata.tables)
    assert _differences() == []


def test_the_check_would_see_a_missing_migration(empty_app):
    """The comparison itself works: a model without its migration shows up as a difference."""
    upgrade(directory=MIGRATIONS)
    extra = sa.Table("not_migrated", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert [d[0] for d in _differences()] == ["add_table"]
    finally:
        db.metadata.remove(extra)


@pytest.mark.long
def test_downgrade_to_base_and_upgrade_again(empty_app):
    upgrade(directory=MIGRATIONS)

    downgrade(directory=MIGRATIONS, revision="base")

    assert _tables() == set()
    upgrade(directory=MIGRATIONS)
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []


def test_the_append_only_triggers_come_with_the_migration(empty_app):
    upgrade(directory=MIGRATIONS)
    downgrade(directory=MIGRATIONS, revision="base")
    upgrade(directory=MIGRATIONS)
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_event (action, at) VALUES ('x', CURRENT_TIMESTAMP)"))

    for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET action = 'y'"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))

    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT action FROM audit_event")).scalars().all() == ["x"]


def _literals(sql: str) -> tuple[frozenset, frozenset]:
    """The quoted words and the bare numbers a CHECK mentions, however the database spells it."""
    words = frozenset(re.findall(r"'([^']*)'", sql))
    numbers = frozenset(re.findall(r"(?<![\w'])(\d+)(?![\w'])", re.sub(r"'[^']*'", "", sql)))
    return words, numbers


def _declared_checks() -> dict[tuple[str, str], tuple[frozenset, frozenset]]:
    preparer = db.engine.dialect.identifier_preparer
    found = {}
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                sql = str(constraint.sqltext.compile(dialect=db.engine.dialect,
                                                     compile_kwargs={"literal_binds": True}))
                found[table.name, preparer.format_constraint(constraint)] = _literals(sql)
    return found


def _stored_checks() -> dict[tuple[str, str], tuple[frozenset, frozenset]]:
    inspector = sa.inspect(db.engine)
    return {
        (table, check["name"]): _literals(check["sqltext"])
        for table in _tables()
        for check in inspector.get_check_constraints(table)
    }


def test_the_check_constraints_are_the_ones_the_models_declare(empty_app):
    """Autogenerate compares no CHECKs: an enumeration that gains a member without a migration
    would go unseen but for this."""
    upgrade(directory=MIGRATIONS)

    declared = _declared_checks()
    assert declared[("user", "ck_user_role")] == (frozenset(Role), frozenset())
    assert declared[("couple", "ck_couple_stage")] == (frozenset(), {"1", "6"})
    assert _stored_checks() == declared


def test_the_comparison_sees_a_member_missing_from_the_database(empty_app):
    upgrade(directory=MIGRATIONS)
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE extra_words (word VARCHAR(10), CONSTRAINT ck_extra_words_word"
            " CHECK (word IN ('owner', 'clinician')))"
        ))
    extra = sa.Table("extra_words", db.metadata, sa.Column("word", enum_text(Role, name="word", length=10)))
    try:
        stored, declared = _stored_checks(), _declared_checks()
        key = ("extra_words", "ck_extra_words_word")
        assert stored[key] != declared[key]
    finally:
        db.metadata.remove(extra)


def test_rewriting_the_checks_keeps_every_row(empty_app):
    """0020 rebuilds referenced tables on SQLite: rows, ids and the references to them stay."""
    upgrade(directory=MIGRATIONS, revision="0019")
    statements = [
        "INSERT INTO practice (id, name, created_at) VALUES (7, 'P', CURRENT_TIMESTAMP)",
        "INSERT INTO \"user\" (id, practice_id, email, name, password_hash, role, active,"
        " session_version, created_at) VALUES (5, 7, 'a@example.org', 'A', 'x', 'owner', true, 1,"
        " CURRENT_TIMESTAMP)",
        "INSERT INTO couple (id, practice_id, primary_clinician_id, case_label, status, current_stage,"
        " pseudonym, created_at, last_activity_at) VALUES (9, 7, 5, 'C', 'paused', 4, 'C-1',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO partner (id, couple_id, position, name) VALUES (11, 9, 'B', 'Wang Hao')",
        "INSERT INTO session_note (id, couple_id, clinician_id, session_date, duration_minutes,"
        " attendees, sections, cited_exception_ids, scale_today, status, created_at, updated_at)"
        " VALUES (3, 9, 5, '2026-01-02', 50, 'A', '{}', '[]', '{}', 'draft', CURRENT_TIMESTAMP,"
        " CURRENT_TIMESTAMP)",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))

    upgrade(directory=MIGRATIONS, revision="0020")

    with db.engine.connect() as conn:
        assert conn.execute(sa.text('SELECT id, practice_id, role FROM "user"')).all() == [(5, 7, "owner")]
        couples = conn.execute(sa.text("SELECT id, status, current_stage FROM couple")).all()
        assert couples == [(9, "paused", 4)]
        assert conn.execute(sa.text("SELECT id, couple_id, position FROM partner")).all() == [(11, 9, "B")]
        assert conn.execute(sa.text("SELECT id, attendees FROM session_note")).all() == [(3, "A")]
        if db.engine.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE couple SET status = 'archived'"))
    downgrade(directory=MIGRATIONS, revision="0019")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, status FROM couple")).all() == [(9, "paused")]


def test_sealing_the_totp_keys_keeps_each_key_and_opens_them_again_on_the_way_down(empty_app):
    upgrade(directory=MIGRATIONS, revision="0020")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO practice (id, name, created_at) VALUES (1, 'P', CURRENT_TIMESTAMP)"
        ))
        for user_id, secret in ((1, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), (2, None)):
            conn.execute(sa.text(
                "INSERT INTO \"user\" (id, practice_id, email, name, password_hash, role, active,"
                " session_version, created_at, totp_secret) VALUES (:id, 1, :email, 'A', 'x',"
                " 'clinician', true, 1, CURRENT_TIMESTAMP, :secret)"
            ), {"id": user_id, "email": f"u{user_id}@example.org", "secret": secret})

    upgrade(directory=MIGRATIONS, revision="0021")

    def stored():
        with db.engine.connect() as conn:
            return dict(conn.execute(sa.text('SELECT id, totp_secret FROM "user" ORDER BY id')).all())

    sealed = stored()
    assert sealed[2] is None
    assert "JBSWY3DP" not in sealed[1] and open_text("totp", sealed[1]) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    downgrade(directory=MIGRATIONS, revision="0020")
    assert stored() == {1: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 2: None}
