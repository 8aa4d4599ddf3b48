"""`flask backup`, `flask restore` and `flask check-db`: private files, a restore that refuses what
would corrupt, and a crash between backup and restore that loses nothing acknowledged before it."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from clinic import backup
from clinic.extensions import db

PG = os.environ.get("TEST_DATABASE_URL")
sqlite_only = pytest.mark.skipif(bool(PG), reason="the SQLite file's own backup and restore")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def database(test_database, tmp_path) -> Path:
    """A migrated SQLite database of the test's own (the suite's template, copied)."""
    if test_database.template is None:
        pytest.skip("needs the suite's SQLite template")
    path = tmp_path / "clinic.sqlite3"
    with sqlite3.connect(test_database.template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    src.close()
    dst.close()
    return path


def _write(path: Path, name: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO practice (name, created_at) VALUES (?, CURRENT_TIMESTAMP)", (name,))
    conn.close()


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [row[0] for row in conn.execute("SELECT name FROM practice ORDER BY id")]
    conn.close()
    return names


@sqlite_only
def test_a_new_sqlite_database_file_is_private(app, tmp_path):
    from clinic import create_app

    path = tmp_path / "fresh.sqlite3"
    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with fresh.app_context():
        with db.engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.commit()
        db.engine.dispose()

    assert _mode(path) == 0o600


def test_backup_writes_a_private_checked_copy_and_restore_brings_it_back(database, tmp_path):
    url = f"sqlite:///{database}"
    _write(database, "Before the backup")
    out = tmp_path / "backup.sqlite3"

    done = backup.backup(url, out)
    _write(database, "After the backup")
    restored = backup.restore(url, out)

    assert _mode(out) == 0o600
    assert "integrity check: ok" in " ".join(done.lines)
    assert _names(database) == ["Before the backup"]
    assert _mode(database) == 0o600
    assert any("Moved clinic.sqlite3 aside" in line for line in restored.lines)
    assert backup.integrity(database) == "ok"


def test_restore_refuses_a_damaged_file_and_changes_nothing(database, tmp_path):
    url = f"sqlite:///{database}"
    _write(database, "Kept")
    damaged = tmp_path / "damaged.sqlite3"
    backup.backup(url, damaged)
    data = bytearray(damaged.read_bytes())
    for page in range(1, len(data) // 4096):  # scribble over every page after the first
        data[page * 4096 + 100: page * 4096 + 400] = os.urandom(300)
    damaged.write_bytes(bytes(data))

    with pytest.raises(backup.BackupError, match="integrity"):
        backup.restore(url, damaged)

    assert _names(database) == ["Kept"]


def test_restore_refuses_a_file_whose_schema_is_unreadable(database, tmp_path):
    # Damage that the integrity check does not see: a table's name in the schema is no longer
    # UTF-8. The restore refuses it as a file that is not this app's backup, never a traceback.
    url = f"sqlite:///{database}"
    _write(database, "Kept")
    odd = tmp_path / "odd.sqlite3"
    with sqlite3.connect(odd) as conn:
        conn.execute('CREATE TABLE "x" (a)')
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET name = CAST(X'EEFF' AS TEXT)")
    conn.close()

    with pytest.raises(backup.BackupError):
        backup.restore(url, odd)

    assert _names(database) == ["Kept"]


def test_restore_refuses_while_the_database_is_open(database, tmp_path):
    url = f"sqlite:///{database}"
    out = tmp_path / "backup.sqlite3"
    backup.backup(url, out)
    serving = sqlite3.connect(database)
    serving.execute("SELECT count(*) FROM practice").fetchall()
    try:
        with pytest.raises(backup.BackupError, match="in use"):
            backup.restore(url, out)
    finally:
        serving.close()


def test_an_encrypted_backup_needs_its_key(database, tmp_path):
    url = f"sqlite:///{database}"
    key = Fernet.generate_key().decode()
    out = tmp_path / "backup.enc"
    _write(database, "Sealed")

    backup.backup(url, out, key=key)

    assert not out.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.restore(url, out, key=Fernet.generate_key().decode())
    backup.restore(url, out, key=key)
    assert _names(database) == ["Sealed"]


WRITER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    n = 0
    while True:
        n += 1
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO practice (name, created_at) VALUES (?, CURRENT_TIMESTAMP)",
                     (f"write {n}",))
        conn.execute("COMMIT")
        print(n, flush=True)
""")


def _writes_around(command: list[str], during) -> tuple[list[int], list[int]]:
    """Run a writer process (it prints each write's number once committed): 40 acknowledged
    writes, then `during()` while it goes on, 40 more, then SIGKILL. Returns both runs."""
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        acknowledged = [int(writer.stdout.readline()) for _ in range(40)]
        during()
        more = [int(writer.stdout.readline()) for _ in range(40)]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    return acknowledged, more


@pytest.mark.long
def test_writes_backup_more_writes_kill_restore_keeps_every_acknowledged_write(database, tmp_path):
    url = f"sqlite:///{database}"
    out = tmp_path / "backup.sqlite3"

    acknowledged, more = _writes_around(
        [sys.executable, "-c", WRITER, str(database)],
        lambda: backup.backup(url, out),  # while the writer goes on
    )

    assert more[-1] > acknowledged[-1]
    assert Path(f"{database}-wal").exists()  # the killed writer's WAL, which must not be replayed

    done = backup.restore(url, out)

    assert backup.integrity(database) == "ok"
    names = set(_names(database))
    assert {f"write {n}" for n in acknowledged} <= names
    assert any("Restored" in line for line in done.lines)
    assert not Path(f"{database}-wal").exists()  # nothing of the old file's log left to replay


def test_the_commands_say_what_they_did(runner, app, tmp_path):
    out = tmp_path / "backup.file"
    if PG and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")

    made = runner.invoke(args=["backup", str(out)])
    checked = runner.invoke(args=["check-db"])

    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output and "0600" in made.output
    assert _mode(out) == 0o600
    assert checked.exit_code == 0, checked.output


@pytest.mark.skipif(not PG, reason="PostgreSQL only")
def test_a_postgresql_restore_is_refused_while_others_are_connected(runner, app, tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    out = tmp_path / "backup.dump"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    listing = subprocess.run(["pg_restore", "--list", str(out)], capture_output=True, text=True)  # noqa: S603,S607
    assert "audit_event" in listing.stdout

    refused = runner.invoke(args=["restore", str(out)])  # the suite holds its own connection

    assert refused.exit_code != 0 and "other session" in refused.output


PG_WRITER = textwrap.dedent("""
    import sys
    import psycopg
    conn = psycopg.connect(sys.argv[1], autocommit=True)
    n = 0
    while True:
        n += 1
        conn.execute("INSERT INTO practice (name, created_at) VALUES (%s, now())", (f"write {n}",))
        print(n, flush=True)
""")


@pytest.fixture
def scratch_postgresql(app, database_url, tmp_path):
    """A PostgreSQL database of the test's own beside the suite's, with the suite's schema (made
    through `flask backup` and `flask restore` themselves); dropped afterwards."""
    if not PG:
        pytest.skip("PostgreSQL only")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    base = sa.engine.make_url(database_url)
    name = f"{base.database}_crash"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    schema = tmp_path / "schema.dump"
    backup.backup(database_url, schema)
    backup.restore(url, schema)
    try:
        yield url
    finally:
        drop()
        admin.dispose()


def _pg_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.text("SELECT name FROM practice")))
    finally:
        engine.dispose()


def _pg_write(url: str, name: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO practice (name, created_at) VALUES (:name, now())"),
                         {"name": name})
    finally:
        engine.dispose()


def _until_alone(url: str) -> None:
    """Wait (a few seconds at most) until the server has noticed the killed writer is gone."""
    engine = sa.create_engine(url)
    try:
        for _ in range(100):
            with engine.connect() as conn:
                others = conn.scalar(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"))
            if not others:
                return
            time.sleep(0.05)
    finally:
        engine.dispose()


@pytest.mark.long
def test_postgresql_writes_backup_more_writes_kill_restore_keeps_every_acknowledged_write(
        scratch_postgresql, tmp_path):
    url = scratch_postgresql
    dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    out = tmp_path / "backup.dump"

    def during():
        backup.backup(url, out)  # pg_dump's snapshot, while the writer goes on
        _pg_write(url, "after the backup")  # acknowledged once the backup was made

    acknowledged, more = _writes_around([sys.executable, "-c", PG_WRITER, dsn], during)

    assert more[-1] > acknowledged[-1]
    assert "after the backup" in _pg_names(url)
    _until_alone(url)

    done = backup.restore(url, out)
    checked = backup.check(url)

    names = _pg_names(url)
    assert {f"write {n}" for n in acknowledged} <= names  # every write acknowledged before the backup
    assert "after the backup" not in names  # the database is back at the backup
    assert any("Restored" in line for line in done.lines)
    assert checked.lines
