"""What each process of a parallel run (pytest-xdist, `make test`) keeps to itself.

xdist names its worker processes gw0, gw1, ... (PYTEST_XDIST_WORKER); a run without `-n` is one
process, called "main" here. Each worker has

- its own database: SQLite, a file in the worker's own temporary folder (tests/conftest.py);
  PostgreSQL, `<TEST_DATABASE_URL's database>_gwN` on the same server, created when missing;
- its own keys in the Redis databases the tests use: the rate limits' and the job queue's keys
  carry `REDIS_TAG` (its process id), and a test deletes those keys (`forget_redis_keys`) where
  it would otherwise empty the whole database under another process's feet;
- free ports (live servers, SMTP servers bind port 0) and its own temporary folders.
"""

import os

import redis
import sqlalchemy as sa

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Named after the process, so that two runs at once (two worktrees, SQLite and PostgreSQL side by
# side) stay apart too. It is the job queue's name (huey keeps letters, digits and "_"); the
# trailing "_" keeps process 12's keys apart from process 123's when matched.
REDIS_TAG = f"clinic_test_{os.getpid()}_"


def forget_redis_keys(client: redis.Redis) -> None:
    """Delete this worker's keys (rate limits, job queue) from the Redis database of `client`."""
    for key in client.scan_iter(match=f"*{REDIS_TAG}*", count=1000):
        client.delete(key)


def worker_database_url(url: str) -> str:
    """The PostgreSQL database of this worker: `url`'s own without xdist, else `<database>_gwN` on
    the same server, created (from `url`'s connection) when it does not exist yet."""
    if WORKER == "main":
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{WORKER}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)
