"""Shared fixtures: one app for the whole run on a database emptied after every test, a client,
and record builders.

The app is built once (routes, Jinja templates compiled once) and every test runs in its own app
context on the migrated, empty database: SQLite gets the migrated template copied back over its
file, PostgreSQL has its tables truncated. A test marked `@pytest.mark.config(KEY=value)` gets an
app of its own with that configuration, on the same database. A large set of records many tests
start from is built once per test process with `built_once` and copied back for each test.
"""

import contextlib
import contextvars
import copy
import dataclasses
import os
import sqlite3
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from clinic import create_app
from clinic.database import normalise_url
from clinic.extensions import db, limiter
from clinic.practice.models import Practice
from tests.parallel import REDIS_TAG, forget_redis_keys, worker_database_url
from tests.render_guard import templates_never_query
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_DATABASE_URL")


# PostgreSQL's counterpart of synchronous=OFF: a commit does not wait for the WAL to reach the disk.
PG_NO_FLUSH = {"options": "-c synchronous_commit=off"}


def _base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # The cheapest argon2id: the suite signs in hundreds of times. What ships is asserted in
        # tests/auth/test_services.py.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 8,
        "PASSWORD_HASH_PARALLELISM": 1,
        # Throwaway databases: no fsync at each commit.
        "SQLITE_SYNCHRONOUS": "OFF",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": PG_NO_FLUSH} if url.startswith("postgresql") else {},
        # Tests call the worker's jobs themselves; a commit that queues mail wakes nobody.
        "JOBS_WAKE": False,
        # A queue in Redis is this test process's own (tests/parallel.py).
        "JOBS_NAME": REDIS_TAG,
    }


def _copy_sqlite(source: Path, target: Path) -> None:
    """Overwrite `target` with `source`, page by page (no connection may be open on `target`)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        dst.execute("PRAGMA synchronous = OFF")
        src.backup(dst)
    src.close()
    dst.close()


@dataclass
class SuiteDatabase:
    """The suite's one database: its URL, and how to bring it back to the migrated, empty state."""

    url: str
    template: Path | None = None  # SQLite: the migrated file copied back after each test
    path: Path | None = None  # SQLite: the file the apps use
    emptying: str = ""  # PostgreSQL: the statements that empty every table and restart the ids
    engine: sa.Engine | None = None  # PostgreSQL: the connection that runs them
    superuser: bool = False  # PostgreSQL: may switch triggers off (what a snapshot's copy needs)

    @staticmethod
    def _disconnect(apps) -> None:
        if has_app_context():  # the test's own session (a new app context gets a session of its own)
            db.session.remove()
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    def reset(self, *apps: Flask) -> None:
        """Empty the database; the `apps` using it drop their connections first."""
        self._disconnect(apps)
        if self.template is not None:
            _copy_sqlite(self.template, self.path)
        else:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self.emptying)

    @property
    def can_snapshot(self) -> bool:
        return self.template is not None or self.superuser

    def snapshot(self, name: str, *apps: Flask):
        """Every row as it is now: SQLite, a copy of the file; PostgreSQL, each table's COPY text
        and the sequences' positions. `restore` puts them back into the empty database."""
        self._disconnect(apps)
        if self.template is not None:
            kept = self.template.with_name(f"snapshot-{name}.sqlite3")
            _copy_sqlite(self.path, kept)
            return kept
        with self.engine.connect() as conn:
            tables = conn.execute(sa.text(PG_TABLES)).scalars().all()
            sequences = conn.execute(sa.text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )).all()
            cursor = conn.connection.dbapi_connection.cursor()
            rows = {}
            for table in tables:
                with cursor.copy(f'COPY "{table}" TO STDOUT') as stream:
                    rows[table] = b"".join(bytes(chunk) for chunk in stream)
            conn.rollback()
        return rows, sequences

    def restore(self, snapshot, *apps: Flask) -> None:
        self._disconnect(apps)
        if self.template is not None:
            _copy_sqlite(snapshot, self.path)
            return
        rows, sequences = snapshot
        with self.engine.begin() as conn:
            # Triggers (the foreign keys', the audit log's) off: the tables come back in any order.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            cursor = conn.connection.dbapi_connection.cursor()
            for table, data in rows.items():
                if data:
                    with cursor.copy(f'COPY "{table}" FROM STDIN') as stream:
                        stream.write(data)
            for sequence, value in sequences:
                conn.execute(sa.text("SELECT setval(:sequence, :value)"),
                             {"sequence": f'"{sequence}"', "value": value})


PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"


def _postgresql_emptying(conn) -> str:
    tables = conn.execute(sa.text(PG_TABLES)).scalars().all()
    sequences = conn.execute(
        sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    ).scalars().all()
    if conn.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        # Row by row with the triggers (the audit log's, the foreign keys') off for the transaction:
        # ten times faster than TRUNCATE, which gives every table a new file.
        return "; ".join([
            "SET LOCAL session_replication_role = replica",
            *(f'DELETE FROM "{table}"' for table in tables),  # noqa: S608 - names from pg_tables
            *(f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences),
        ])
    names = ", ".join(f'"{table}"' for table in tables)
    # The audit log refuses TRUNCATE (its trigger); the suite's role owns the tables, so it may
    # switch that trigger off for its own emptying, inside the one transaction.
    return "; ".join([
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        f"TRUNCATE {names} RESTART IDENTITY CASCADE",
        "ALTER TABLE audit_event ENABLE TRIGGER USER",
    ])


def _migrate(url: str) -> None:
    app = create_app(_base_config(url))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def test_database(tmp_path_factory):
    """Build the schema once per run with the real migrations (triggers included)."""
    if PG_URL:
        url = worker_database_url(normalise_url(PG_URL))
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url)
        engine = sa.create_engine(url, pool_size=1, connect_args=PG_NO_FLUSH)
        with engine.connect() as conn:
            emptying = _postgresql_emptying(conn)
            superuser = conn.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        yield SuiteDatabase(url, emptying=emptying, engine=engine, superuser=superuser)
        engine.dispose()
        return
    folder = tmp_path_factory.mktemp("database")
    template = folder / "template.sqlite3"
    _migrate(f"sqlite:///{template}")
    path = folder / "clinic.sqlite3"
    _copy_sqlite(template, path)
    yield SuiteDatabase(f"sqlite:///{path}", template=template, path=path)


@pytest.fixture(scope="session")
def database_url(test_database) -> str:
    """The suite's database (schema, no rows between tests)."""
    return test_database.url


class RequestScopedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps an app context pushed for the whole test so that builders and
    services work; a request made inside it would reuse it, and with it `g` (where Flask-Login
    caches the signed-in user: one client's sign-in leaked into the next request of another
    client, so a replayed cookie "failed" without the session check ever running) and the
    database session (so a view that forgot to commit went unnoticed). Each request therefore
    runs in an empty contextvars context. The test's own transaction is committed first: on
    SQLite it holds the write lock that the request's BEGIN IMMEDIATE would wait for; and the
    test's objects are expired afterwards, so that they show what the request did.
    `with client:` (preserved contexts) is not supported.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():
            return contextvars.Context().run(super().open, *args, **kwargs)
        if db.session().in_transaction():
            db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            # The request changed the database behind the test's session: reload on next use.
            db.session.expire_all()


def _build_app(config: dict) -> Flask:
    app = create_app(config)
    app.test_client_class = RequestScopedClient
    templates_never_query(app)
    return app


@pytest.fixture(scope="session")
def shared_app(database_url) -> Flask:
    """The app every test without a `config` marker runs on (through the `app` fixture)."""
    return _build_app(_base_config(database_url))


@pytest.fixture
def app(request, test_database, shared_app, tmp_path):
    """The app, in an app context of this test's own, on the empty database.

    What the test changes in the app's configuration or extensions mapping is put back afterwards,
    and the database is emptied. Files the app writes (the job queue, mail in development) go to
    the test's own folder. Flask-Limiter keeps its settings on the one `limiter` object, taken
    from the last app initialised: it is bound to this test's app again here.
    """
    marker = request.node.get_closest_marker("config")
    if marker:
        app = _build_app({**_base_config(test_database.url), **marker.kwargs})
    else:
        app = shared_app
        limiter.init_app(app)
    saved_config, saved_extensions = dict(app.config), dict(app.extensions)
    own_files = {"JOBS_SQLITE_PATH": tmp_path / "jobs.sqlite3", "MAIL_DIRECTORY": tmp_path / "mail"}
    app.config.update({key: str(path) for key, path in own_files.items() if not app.config[key]})
    try:
        with app.app_context():
            yield app
    finally:
        app.config.clear()
        app.config.update(saved_config)
        app.extensions.clear()
        app.extensions.update(saved_extensions)
        test_database.reset(*{app, shared_app})


_BUILT: dict[str, tuple] = {}  # built_once's snapshots in this process: name -> (rows, recipe)


def _recipe(value):
    """`value` with every model object in it (in dataclasses, dicts, lists) as (class, id)."""
    if isinstance(value, db.Model):
        return ("model", type(value), value.id)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ("dataclass", type(value), {f.name: _recipe(getattr(value, f.name))
                                          for f in dataclasses.fields(value)})
    if isinstance(value, dict):
        return ("dict", {key: _recipe(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_recipe(item) for item in value])
    return ("value", value)


def _revive(recipe):
    """The value `_recipe` took apart, its model objects loaded again in this test's session."""
    kind, *parts = recipe
    if kind == "model":
        found = db.session.get(*parts)
        assert found is not None, f"{parts} missing after the snapshot was restored"
        return found
    if kind == "dataclass":
        return parts[0](**{name: _revive(item) for name, item in parts[1].items()})
    if kind == "dict":
        return {key: _revive(item) for key, item in parts[0].items()}
    if kind in ("list", "tuple"):
        items = [_revive(item) for item in parts[0]]
        return items if kind == "list" else tuple(items)
    return copy.deepcopy(parts[0])


@pytest.fixture
def built_once(app, test_database, shared_app):
    """`built_once(name, build)`: what `build()` returns, built in this test process once.

    The first test builds it and keeps a snapshot of the database; later tests get the snapshot's
    rows back into their empty database and the returned objects loaded again by id (a test gets
    its own, so what one test changes never reaches the next). Call it first, on the empty
    database: the snapshot replaces whatever is there. A PostgreSQL role that may not switch
    triggers off builds every time."""

    def get(name: str, build):
        if name in _BUILT:
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Practice)) == 0, (
                "built_once restores a snapshot over the whole database: call it before adding rows"
            )
            rows, recipe = _BUILT[name]
            test_database.restore(rows, app, shared_app)
            return _revive(recipe)
        built = build()
        db.session.commit()
        if test_database.can_snapshot:
            recipe = _recipe(built)
            _BUILT[name] = (test_database.snapshot(name, app, shared_app), recipe)
            return _revive(recipe)
        return built

    return get


@pytest.fixture
def sql_statements(app):
    """`with sql_statements() as seen:` lists the SQL statements the app runs inside the block, the
    test's own and its requests' alike. BEGINs aside: SQLite's BEGIN IMMEDIATE is a statement of
    its own where PostgreSQL's is implicit, and a page's count must not depend on the database."""

    @contextlib.contextmanager
    def record():
        seen: list[str] = []

        def capture(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith("BEGIN"):
                seen.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)

    return record


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = count(1)


@pytest.fixture
def make_practice(app):
    from clinic.practice.services import create_practice

    def make(name: str | None = None):
        return create_practice(name or f"Practice {next(_seq)}")

    return make


@pytest.fixture
def make_user(app, make_practice):
    from clinic.auth.services import NewUser, create_user

    def make(practice=None, role: str = "clinician", email: str | None = None,
             name: str | None = None, password: str = PASSWORD):
        practice = practice or make_practice()
        n = next(_seq)
        return create_user(
            practice.id,
            NewUser(
                email=email or f"{role}{n}@example.org",
                name=name or f"{role.capitalize()} {n}",
                role=role,
                password=password,
            ),
        )

    return make


@pytest.fixture
def make_couple(app):
    from clinic.couples.services import CoupleInput, PartnerInput, create_couple

    def make(clinician, label: str | None = None, a: str = "Chen Jing", b: str = "Wang Hao",
             stage: int = 1):
        return create_couple(
            clinician,
            CoupleInput(
                case_label=label or f"Couple {next(_seq)}",
                partner_a=PartnerInput(name=a, email="a@example.org"),
                partner_b=PartnerInput(name=b),
                current_stage=stage,
            ),
        )

    return make


@pytest.fixture
def jobs_redis():
    """A Redis database for the worker's queue (this test process's keys in it deleted before and
    after: tests/parallel.py), or a skip."""
    url = os.environ.get("TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/5")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        pytest.skip(f"no Redis at {url}")
    forget_redis_keys(client)
    yield url
    forget_redis_keys(client)
    client.close()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (a free port); `.mailbox` holds what it accepted."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def login(client):
    def do(user, password: str = PASSWORD, target=None):
        target = target or client
        response = target.post(
            "/auth/login", data={"email": user.email, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**kwargs): an app of the test's own, with this configuration")
    config.addinivalue_line("markers", "long: takes seconds (a subprocess, waiting on a clock); runs early")


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config, items):
    """The long tests first: the browser's, then those marked `long`. pytest-xdist hands out the
    first tests one by one to each worker in turn, so the long ones run side by side from the
    start and no worker is left with a 40-second test when the others are done."""
    def weight(item) -> int:
        return 0 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("long") else 2

    items.sort(key=weight)  # stable: the order within each group is kept


# ---- Portal, exercises and records fixtures (tests/portal, tests/exercises, tests/records) ----

def csrf_from(response) -> str | None:
    """The CSRF token in a rendered form (None when CSRF is off and the page has none)."""
    import re

    found = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    return found.group(1) if found else None


@pytest.fixture
def make_link(app):
    """Issue a personal link for a partner, as their couple's clinician (or `by`)."""
    from clinic.portal.services import issue_link

    def make(partner, by=None, valid_days: int | None = None):
        clinician = by or partner.couple.primary_clinician
        return issue_link(clinician, partner.couple_id, partner.id, valid_days=valid_days)

    return make


@pytest.fixture
def portal_client(app, make_link):
    """A new browser holding a portal session for one partner, opened through the real link.

    The client carries `.token` and `.link_id` of the link it used. Works with CSRF on or off.
    """

    def make(partner, issued=None):
        issued = issued or make_link(partner)
        browser = app.test_client()
        opened = browser.get(f"/portal/l/{issued.token}")
        assert opened.status_code == 200
        data = {"token": issued.token}
        token = csrf_from(opened)
        if token:
            data["csrf_token"] = token
        response = browser.post("/portal/continue", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.location == "/portal/"
        browser.token = issued.token
        browser.link_id = issued.link.id
        return browser

    return make


@pytest.fixture
def signed_in(app, login):
    """A new browser signed in as `user`."""

    def make(user):
        browser = app.test_client()
        login(user, target=browser)
        return browser

    return make


@pytest.fixture
def assign(app):
    """Assign one exercise (`target`: A, B, each or joint; joint exercises default to joint)."""
    from clinic.exercises import catalogue
    from clinic.exercises.services import AssignmentRequest, assign_exercises

    def make(clinician, couple, key: str, target: str | None = None, **kwargs):
        if target is None:
            target = "joint" if catalogue.get(key).is_joint else "each"
        return assign_exercises(
            clinician, couple.id, [AssignmentRequest(exercise_key=key, target=target, **kwargs)]
        )

    return make


# ---- end of portal, exercises and records fixtures --------------------------------------------


# ---- Records helpers (tests/records): placements, exception entries and sessions on given days ----

@pytest.fixture
def place(app):
    """A scale placement for `partner` on `day`: from the portal, or in session when `by` is given."""
    from clinic.records.services import add_from_portal, add_in_session

    def make(partner, day, value: int, *, shared: bool = False, by=None, **answers):
        data = {"date": day.isoformat(), "value": value, **answers}
        if by is None:
            return add_from_portal(partner, "scale", data, shared=shared)
        return add_in_session(by, partner.couple_id, partner.id, "scale", data, shared=shared)

    return make


@pytest.fixture
def log_exception(app):
    """An exception-log entry for `partner` on `day`: from the portal (with optional `tags`, a list of
    (category, value)), or in session when `by` is given."""
    from clinic.records.services import add_from_portal, add_in_session

    def make(partner, day, context: str = "We cooked together", *, shared: bool = False, by=None,
             tags=(), **answers):
        data = {"date": day.isoformat(), "context": context, **answers}
        if by is None:
            return add_from_portal(partner, "exception", data, shared=shared, tags=list(tags))
        return add_in_session(by, partner.couple_id, partner.id, "exception", data, shared=shared)

    return make


@pytest.fixture
def mark_session(app):
    """A draft session note: the couple had a session on `day` (what the trend rules read)."""
    from clinic.notes.models import SessionNote

    def make(couple, day, clinician=None):
        note = SessionNote(
            couple_id=couple.id, clinician_id=(clinician or couple.primary_clinician).id,
            session_date=day, status="draft",
        )
        db.session.add(note)
        db.session.commit()
        return note

    return make


# ---- end of records helpers ---------------------------------------------------------------------


# ---- Reports helpers (tests/reports; its practice with known figures: tests/reports/conftest.py) ----

@pytest.fixture
def supervise(app):
    """The owner lets `supervisor` read `clinician`'s reports (through the service, audited)."""
    from clinic.reports.supervision import add_supervision

    def make(owner, supervisor, clinician):
        return add_supervision(owner, supervisor.id, clinician.id)

    return make


# ---- end of reports helpers ---------------------------------------------------------------------


# ---- Accounts helpers (tests/accounts, tests/auth, tests/practice): mailed links ---------------

@pytest.fixture
def delivered(app, smtp_server):
    """Run the worker's account and delivery jobs against a real local SMTP server; returns a
    function giving the messages received so far (waiting for at least `count`)."""
    from clinic.accounts.services import send_reset_links
    from clinic.mail.delivery import deliver_due

    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@example.org")

    def receive(count: int):
        send_reset_links()  # the worker's jobs, in its order: reset requests, then delivery
        deliver_due()
        return smtp_server.mailbox.wait_for(count)

    return receive


# ---- end of accounts helpers ------------------------------------------------------------------
