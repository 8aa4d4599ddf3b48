"""The background job engine: a Huey instance built from configuration, and the minute jobs.

Storage. Huey keeps its queue in an embedded SQLite file (`instance/jobs.sqlite3`, or
`JOBS_SQLITE_PATH`) unless `CLINIC_JOBS_URL` or `REDIS_URL` names a Redis server, which lets
several worker processes on several machines share one queue. The queue only carries wake-up
calls: the work itself (the outbox, reminders) lives in the application's database, so losing
the queue loses nothing but a few seconds of latency.

Periodic work. Other features do not define Huey tasks. They hand the factory a plain callable
that does whatever is due *now* and is safe to run again at any time (idempotent), e.g.

    jobs.init_app(app, every_minute=[reminders.send_due, mail.delivery.deliver_due])

The worker calls each of them, in that order, once a minute and whenever a commit queued mail
(`wake`), each in its own application context; one raising is logged and does not stop the rest.
Order matters: a job that queues mail belongs before the delivery job.

The web process never runs a job: it only builds the Huey instance (lazily, on the first `wake`)
to put a wake-up call on the queue. `flask --app wsgi worker` runs the consumer.
"""

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from redis import ConnectionPool

from .i18n import operator_language

log = logging.getLogger(__name__)

EXTENSION = "clinic.jobs"
RUN_JOBS = "clinic.run_jobs"
EVERY_MINUTE = "clinic.every_minute"


@dataclass
class Jobs:
    app: Flask
    every_minute: list[Callable[[], object]] = field(default_factory=list)
    _huey: Huey | None = None
    _run_now: Callable[[], object] | None = None

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            self._huey = build_huey(self.app)
            # One task runs the jobs on a wake-up call, a periodic one every minute.
            self._run_now = self._huey.task(name=RUN_JOBS)(self.run_all)
            self._huey.periodic_task(crontab(minute="*"), name=EVERY_MINUTE)(self.run_all)
        return self._huey

    def wake(self) -> None:
        self.huey  # noqa: B018 - builds the instance and its tasks
        self._run_now()

    def run_all(self) -> None:
        """Run every registered job once, each in a fresh application context."""
        for job in list(self.every_minute):
            with self.app.app_context():
                try:
                    job()
                except Exception:
                    log.exception("job %s failed", getattr(job, "__qualname__", job))


def init_app(app: Flask, *, every_minute: Iterable[Callable[[], object]] = ()) -> Jobs:
    jobs = Jobs(app, list(every_minute))
    app.extensions[EXTENSION] = jobs
    app.cli.add_command(worker_command)
    return jobs


def jobs_of(app: Flask) -> Jobs:
    return app.extensions[EXTENSION]


def storage_url(app: Flask) -> str | None:
    """The Redis URL the queue lives in, or None for the embedded SQLite file."""
    return app.config.get("JOBS_URL") or app.config.get("REDIS_URL") or None


def build_huey(app: Flask) -> Huey:
    name = app.config["JOBS_NAME"]
    url = storage_url(app)
    if url:
        # Bounded timeouts: a web request that wakes the worker must never hang on Redis.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        huey = RedisHuey(name, connection_pool=pool, results=False)
    else:
        path = Path(app.config["JOBS_SQLITE_PATH"] or Path(app.instance_path) / "jobs.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), results=False)
    return huey


def wake(app: Flask) -> None:
    """Ask the worker to run the jobs now (e.g. mail was just queued). Never raises.

    Without a wake-up call the minute tick still finds the work; this only shortens the wait.
    """
    if not app.config["JOBS_WAKE"]:
        return
    try:
        jobs_of(app).wake()
    except Exception as error:  # the queue is down: the next minute tick delivers
        log.warning("could not wake the worker (%s); the next minute tick will", type(error).__name__)


def run_worker(app: Flask, *, workers: int) -> None:
    """Run the Huey consumer in this process until it is stopped (SIGINT/SIGTERM)."""
    engine = jobs_of(app)
    consumer = engine.huey.create_consumer(workers=workers, worker_type="thread", max_delay=2.0)
    # Catch up at once (mail queued while no worker ran, or left by one that crashed) instead
    # of waiting for the first minute tick.
    engine.wake()
    consumer.run()


def lower_priority(app: Flask) -> None:
    """Let the web processes on the same machine go first; called before the worker's threads
    start, which inherit it (bench/reminders_delivery.py: at equal priority, pages slowed while
    2,000 reminders went out; at nice 10 alone their medians still rose by 10-20%).

    JOBS_NICE lowers the CPU priority. JOBS_IDLE_CLASS (Linux) asks for the idle scheduling class
    as well: the worker then runs on CPU time the web leaves, and a request that wakes up takes
    the CPU at once. On a machine kept fully busy the worker gets only a sliver, so mail waits;
    a write it holds meanwhile (SQLite's lock) is short, and a web request waiting for it sleeps
    and so leaves it the CPU. A sandbox that refuses the class (gVisor, a seccomp profile)
    leaves the worker at its nice value, with a warning.
    """
    if app.config["JOBS_NICE"]:
        os.nice(int(app.config["JOBS_NICE"]))
    if app.config["JOBS_IDLE_CLASS"] and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as error:
            log.warning("the worker stays in the normal scheduling class (%s)", error.strerror)


@click.command("worker")
@click.option("--workers", type=int, default=None, help="Worker threads (default JOBS_WORKERS).")
def worker_command(workers: int | None) -> None:
    """Run the background worker: delivers mail and runs the minute jobs until stopped."""
    app = current_app._get_current_object()
    # One line per message through the app's logger (id and subject: never an address or a
    # body); Huey's own warnings and errors reach stderr, its routine lines stay quiet.
    app.logger.setLevel(logging.INFO)
    lower_priority(app)
    with force_locale(operator_language()):
        where = "Redis" if storage_url(app) else _("an SQLite file in the instance folder")
        click.echo(_("Worker started (queue: %(where)s); Ctrl+C stops it.", where=where))
    run_worker(app, workers=workers or app.config["JOBS_WORKERS"])
