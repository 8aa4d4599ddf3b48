"""Per-connection database settings: SQLite pragmas, and which transactions take the write lock."""

import contextlib
import os
import sqlite3
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")
# An execution option: this connection's transactions write (audit.services.record_access).
WRITES = "clinic_writes"
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading: ContextVar[bool] = ContextVar("clinic_reading", default=False)


@contextlib.contextmanager
def reading():
    """Transactions begun inside only read (the worker rendering mail, say): on SQLite they
    begin DEFERRED, so the writers (the web's requests) are never kept waiting meanwhile."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


# Answers a transaction already looked up, {key: value}: a page asks some questions (may this
# user reach this couple, is the couple flagged, how many items are new) once per feature it
# shows. Nothing changes them before this session writes, so they are forgotten at every flush
# and whenever a transaction ends (commit, rollback, or the session closed).
_REMEMBERED = "clinic_remembered"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, *_args) -> None:
    session.info.pop(_REMEMBERED, None)


def remembered(session: Session, key: tuple, look_up):
    """`look_up()`, asked once per transaction for this key (exceptions are not remembered)."""
    answers = session.info.setdefault(_REMEMBERED, {})
    if key not in answers:
        answers[key] = look_up()
    return answers[key]


def remember(session: Session, key: tuple, value):
    """Let `remembered` answer `key` with `value` for the rest of this transaction."""
    session.info.setdefault(_REMEMBERED, {})[key] = value
    return value


def takes_write_lock(connection: Connection) -> bool:
    """Whether a transaction starts with the write lock (SQLite's BEGIN IMMEDIATE).

    A page that is only read (GET, HEAD) reads in a deferred transaction, which takes no lock
    at all in WAL mode: readers never wait for a writer, nor make one wait. Its access is
    audited in a short transaction of its own (WRITES). Everything else, a form post, the
    worker, the CLI, starts with the write lock, because a deferred transaction that has read
    and then writes fails at once with SQLITE_BUSY when another writer committed meanwhile.
    """
    if connection.get_execution_options().get(WRITES):
        return True
    return not reading_request()


def reading_request() -> bool:
    """Serving a page that only reads (GET, HEAD), or inside `reading()`."""
    return _reading.get() or (has_request_context() and request.method in READING_METHODS)


def configure_engine(engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL") -> None:
    """Make every SQLite connection safe for concurrent use by several request threads.

    Transactions that write start with BEGIN IMMEDIATE (they wait up to the busy timeout for
    the lock, and never fail on upgrading a read lock); a page that only reads starts with
    BEGIN DEFERRED (see takes_write_lock). WAL lets the readers run beside the one writer.
    `synchronous` is FULL (every commit reaches the disk) unless the test suite turns it OFF
    for its throwaway databases.
    """
    if engine.dialect.name != "sqlite":
        return
    synchronous = synchronous.upper()
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_LEVELS)}")

    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):

        @event.listens_for(engine, "do_connect")
        def _private_file(*_args) -> None:
            # Client records: the file (and the -wal and -shm SQLite makes with the same mode)
            # readable and writable by this account only, not 0644 as the umask would have it.
            if not os.path.exists(path):
                with contextlib.suppress(FileExistsError):  # another process made it meanwhile
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Take transaction control away from pysqlite so BEGIN below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock(connection) else "BEGIN DEFERRED")


def normalise_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
