"""Migrations: an empty database upgrades to exactly the models' schema, and back down again.

Runs on a SQLite file, and when TEST_DATABASE_URL is set also on a throw-away PostgreSQL
database created next to the test database.
"""

import importlib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.database import normalise_url
from clinic.extensions import db

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
