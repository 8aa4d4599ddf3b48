"""Backups and restores of the database, and its integrity check (the `flask backup`, `restore`
and `check-db` commands).

SQLite: a backup is SQLite's online backup API (a consistent copy while the app runs, never a
file copy, which can catch a write half-done or leave the WAL behind); a restore refuses a file
that fails `PRAGMA integrity_check`, refuses while anyone has the database open, moves the
current file and its -wal and -shm aside (a stale WAL replayed over a restored file corrupts
it), copies the backup in and checks the result. PostgreSQL: `pg_dump --format=custom` and
`pg_restore --clean`, refused while other sessions are connected. Backups are written 0600 and,
with BACKUP_KEY set, encrypted (Fernet).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup, restore or check could not be done; the message says why and what to do."""


@dataclass
class Outcome:
    """What a command did, line by line, for the person who ran it."""

    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)


def private_file(path: Path) -> None:
    """Create `path` empty, readable and writable by this account only (0600)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def integrity(path: Path) -> str:
    """`PRAGMA integrity_check` of an SQLite file, read-only: "ok" or SQLite's first complaints."""
    if not path.is_file():
        return "no such file"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    # A damaged file's complaints can quote bytes that are not UTF-8.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    except UnicodeDecodeError:  # SQLite's own message quoted bytes that are not UTF-8
        return "damaged: the file's schema or error text is not UTF-8"
    finally:
        conn.close()
    return "; ".join(str(row[0]) for row in rows)


def _tables(path: Path) -> list[str]:
    """The table names of an SQLite file; none when its schema cannot be read (a damaged file can
    pass the integrity check with bytes in its schema that are not even UTF-8)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return []
    finally:
        conn.close()


def _in_use(path: Path) -> bool:
    """True while any other connection (the app, the worker) has the SQLite file open: taking
    the exclusive lock of WAL mode fails then, even when they are idle."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.execute("COMMIT")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _fernet(key: str | None) -> Fernet | None:
    if not key:
        return None
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except ValueError as error:
        raise BackupError(_(
            "BACKUP_KEY is not a Fernet key (make one with `python -c \"from cryptography.fernet "
            "import Fernet; print(Fernet.generate_key().decode())\"`)."
        )) from error


def _opened(source: Path, fernet: Fernet | None, scratch: Path) -> Path:
    """The backup as a plain file: decrypted into `scratch` when a key is configured."""
    if fernet is None:
        return source
    try:
        plain = fernet.decrypt(source.read_bytes())
    except InvalidToken as error:
        raise BackupError(_("%(source)s cannot be decrypted with BACKUP_KEY (another key, or not "
                            "an encrypted backup).", source=source)) from error
    private_file(scratch)
    scratch.write_bytes(plain)
    return scratch


def backup(url: str, target: Path, *, key: str | None = None) -> Outcome:
    """Write a backup of the database at `url` to `target` (0600; encrypted with `key`). With a
    key the plain copy is made in a private scratch folder, so only encrypted bytes ever reach
    `target` (a crash leaves no plain backup under its name)."""
    fernet = _fernet(key)
    outcome = Outcome()
    database = sqlite_path(url)
    with tempfile.TemporaryDirectory() as folder:
        plain = target if fernet is None else Path(folder) / "plain.backup"
        private_file(plain)
        if database is None:
            _pg_dump(url, plain)
            outcome.say(_("Backed up the PostgreSQL database with pg_dump to %(target)s.", target=target))
        else:
            with sqlite3.connect(database) as source, sqlite3.connect(plain) as copy:
                source.backup(copy)
            source.close()
            copy.close()
            checked = integrity(plain)
            if checked != "ok":
                raise BackupError(_("The backup in %(target)s failed its integrity check: %(problem)s",
                                    target=target, problem=checked))
            size = format(plain.stat().st_size, ",")
            outcome.say(_("Backed up %(database)s to %(target)s (%(size)s bytes); integrity check: ok.",
                          database=database, target=target, size=size))
        if fernet is not None:
            private_file(target)
            target.write_bytes(fernet.encrypt(plain.read_bytes()))
            outcome.say(_("The backup is encrypted with BACKUP_KEY: keep that key apart from it."))
    outcome.say(_("The file is readable by this account only (0600)."))
    return outcome


def restore(url: str, source: Path, *, key: str | None = None) -> Outcome:
    """Replace the database at `url` by the backup in `source`, refusing while it is in use."""
    if not source.is_file():
        raise BackupError(_("No backup at %(source)s.", source=source))
    fernet = _fernet(key)
    outcome = Outcome()
    with tempfile.TemporaryDirectory() as folder:
        plain = _opened(source, fernet, Path(folder) / "backup")
        database = sqlite_path(url)
        if database is None:
            _pg_restore(url, plain)
            outcome.say(_("Restored the PostgreSQL database from %(source)s with pg_restore.",
                          source=source))
            return outcome
        _restore_sqlite(database, plain, outcome)
    return outcome


def _restore_sqlite(database: Path, backup_file: Path, outcome: Outcome) -> None:
    checked = integrity(backup_file)
    if checked != "ok":
        raise BackupError(_("Refused: the backup fails its integrity check (%(problem)s). Nothing "
                            "was changed.", problem=checked))
    if "alembic_version" not in _tables(backup_file):
        raise BackupError(_("Refused: the file is an SQLite database but not a backup of this app."))
    if database.exists() and _in_use(database):
        raise BackupError(_("Refused: the database is in use. Stop the app and the worker, then "
                            "run the restore again. Nothing was changed."))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{database}{suffix}")
        if current.exists():
            kept = Path(f"{database}.before-restore-{stamp}{suffix}")
            current.rename(kept)
            os.chmod(kept, 0o600)
            outcome.say(_("Moved %(current)s aside to %(kept)s.", current=current.name, kept=kept.name))
    private_file(database)
    with sqlite3.connect(backup_file) as src, sqlite3.connect(database) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    src.close()
    dst.close()
    checked = integrity(database)
    if checked != "ok":
        raise BackupError(_("The restored database fails its integrity check (%(problem)s); the "
                            "previous one is kept beside it (%(kept)s).", problem=checked,
                            kept=".before-restore-" + stamp))
    outcome.say(_("Restored %(database)s from the backup; integrity check: ok.", database=database))


def check(url: str) -> Outcome:
    """The database's integrity check: SQLite's PRAGMA, or on PostgreSQL pg_amcheck if present."""
    outcome = Outcome()
    database = sqlite_path(url)
    if database is not None:
        checked = integrity(database)
        if checked != "ok":
            raise BackupError(_("%(database)s fails its integrity check: %(problem)s",
                                database=database, problem=checked))
        outcome.say(_("%(database)s: integrity check ok.", database=database))
        return outcome
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()
    if shutil.which("pg_amcheck") is None:
        outcome.say(_("PostgreSQL answers. For a full check of its indexes install pg_amcheck "
                      "(postgresql-client) and run this again."))
        return outcome
    _run(["pg_amcheck", "--heapallindexed", "--database"], url, "pg_amcheck")
    outcome.say(_("PostgreSQL: pg_amcheck found no corruption."))
    return outcome


def _run(command: list[str], url: str, tool: str, *after: str) -> None:
    """Run a PostgreSQL client tool on the database at `url`; its password travels in the
    environment (PGPASSWORD), never on a command line others can read in `ps`."""
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(tool)s is not installed (Debian: apt-get install postgresql-client).",
                            tool=tool))
    parsed = make_url(url)
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    done = subprocess.run(  # noqa: S603 - fixed tools, no shell
        [*command, dsn, *after], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s", tool=tool, error=done.stderr.strip()[-500:]))


def _pg_dump(url: str, target: Path) -> None:
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)], url, "pg_dump")


def _pg_restore(url: str, source: Path) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            others = conn.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ))
    finally:
        engine.dispose()
    if others:
        raise BackupError(ngettext(
            "Refused: %(num)d other session is connected to the database. Stop the app and the "
            "worker, then run the restore again.",
            "Refused: %(num)d other sessions are connected to the database. Stop the app and the "
            "worker, then run the restore again.", others,
        ))
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname"], url, "pg_restore", str(source))
