"""Per-connection database settings: SQLite pragmas and immediate write transactions."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def configure_engine(engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL") -> None:
    """Make every SQLite connection safe for concurrent use by several request threads.

    Transactions start with BEGIN IMMEDIATE: nearly every request here writes (at least an
    audit event), and a deferred transaction that reads and then writes can fail with
    SQLITE_BUSY without waiting for the busy timeout when another writer got there first.
    `synchronous` is FULL (every commit reaches the disk) unless the test suite turns it OFF
    for its throwaway databases.
    """
    if engine.dialect.name != "sqlite":
        return
    synchronous = synchronous.upper()
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_LEVELS)}")

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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
