"""2,000 due reminders delivered by the real worker to a local SMTP server, and what the app's
users feel meanwhile: the goal is no effect on the hot pages.

Builds a practice in a temporary SQLite database made by the real migrations (or in
BENCH_DATABASE_URL, a PostgreSQL database that is emptied): 1,000 couples, both partners with an
address and a portal link, one joint exercise due today each. The reminder job
(`reminders.send_due`, as the worker runs it) queues the 2,000 reminders, which are then held
back (due tomorrow). gunicorn serves the app, `flask --app wsgi worker` runs beside it, and an
aiosmtpd server in a process of its own (standing in for the mail server, which is normally on
another machine) accepts the mail. Then, in rounds:
  idle     every hot page is fetched in turn (caseload, couple page, inbox, portal home) for a
           fixed number of turns, nothing being delivered;
  deliver  a wave of the reminders is made due and the worker woken; the same pages are fetched
           in turn until the wave is marked sent.
Idle and delivery windows alternate (idle, wave, idle, wave, ..., idle), so a change in the
machine's load during the run falls on both. Prints the delivery time and rate, each page's
median and 95th percentile in both states, and exits non-zero when the goal is missed (any
page's median more than MEDIAN_SLACK slower, or its p95 more than P95_SLACK slower, than idle)
or when a message was lost or repeated.

`--queue redis://127.0.0.1:6379/5` puts the worker's queue in Redis instead of SQLite.

Run: .venv/bin/python bench/reminders_delivery.py [--messages 2000] [--waves 4] [--queue URL]
     BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/...
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time as clock
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from _due_couples import insert_due_couples  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from clinic import create_app, jobs  # noqa: E402
from clinic.auth.services import NewUser, create_user  # noqa: E402
from clinic.domain import MessageStatus  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.mail.models import OutboundMessage  # noqa: E402
from clinic.practice.services import create_practice  # noqa: E402
from clinic.reminders.services import send_due  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402

PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway database
EMAIL = "bench@example.org"
IDLE_TURNS = 30  # turns of every page per idle window
# The goal, per page: "no effect" within what the same page varies by between idle windows.
MEDIAN_SLACK = 1.10
P95_SLACK = 1.25


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, messages: int) -> int:
    """Schema, the practice, and the reminders queued by the reminder job but not yet due.
    Returns the couple id the couple page shows."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_WAKE": False})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        practice = create_practice("Harbour Lane Couples Practice")
        clinician = create_user(practice.id, NewUser(
            email=EMAIL, name="Dr Bench", role="clinician", password=PASSWORD))
        now = datetime.now(UTC).replace(microsecond=0)
        # Open all day, every day, in UTC: the job queues the reminders whenever this runs.
        practice.opens_at, practice.closes_at = time(0, 0), time(23, 59, 59)
        practice.open_days = "1234567"
        db.session.commit()
        created = now - timedelta(days=7)
        insert_due_couples(practice.id, clinician.id, messages // 2, created, now.date())
        if url.startswith("postgresql"):  # ids given explicitly: move the sequences on
            for table in ("couple", "partner"):
                db.session.execute(sa.text(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))  # noqa: S608
            db.session.commit()
        queued = send_due(now)
        assert queued == messages, f"the reminder job queued {queued}, not {messages}"
        hold_back(db.session, tomorrow=now + timedelta(days=1))
        db.session.commit()
        db.engine.dispose()
    return 1


def hold_back(session, tomorrow: datetime) -> None:
    session.execute(sa.update(OutboundMessage).values(next_attempt_at=tomorrow))


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, fields: dict) -> str:
        with self.opener.open(self.base + path, data=urllib.parse.urlencode(fields).encode(),
                              timeout=30) as response:
            return response.url

    def csrf(self, path: str) -> str:
        _, page = self.get(path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def sign_in(self) -> None:
        csrf = self.csrf("/auth/login")
        url = self.post("/auth/login", {"csrf_token": csrf, "email": EMAIL, "password": PASSWORD})
        assert "/couples/" in url, url

    def open_portal(self, token: str) -> None:
        csrf = self.csrf(f"/portal/l/{token}")
        url = self.post("/portal/continue", {"csrf_token": csrf, "token": token})
        assert url.endswith("/portal/"), url


@dataclass
class Page:
    label: str
    browser: Browser
    path: str
    idle: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)

    def fetch(self) -> float:
        start = clock.perf_counter()
        status, _ = self.browser.get(self.path)
        elapsed = clock.perf_counter() - start
        assert status == 200, (self.path, status)
        return elapsed


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def serve_smtp() -> None:
    """The SMTP server in a process of its own (not competing with the timing client for the
    GIL): prints its port, and on a line from stdin the messages received and distinct."""
    os.nice(10)  # a stand-in for a mail server on another machine: it goes after the app
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    server = SmtpServer().start()
    print(server.port, flush=True)
    sys.stdin.readline()
    messages = list(server.mailbox.messages)
    print(len(messages), len({m["Message-ID"] for m in messages}), flush=True)
    server.stop()


class SmtpProcess:
    def __init__(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, __file__, "--smtp-server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        self.url = f"smtp://127.0.0.1:{int(self.process.stdout.readline())}"

    def counts(self) -> tuple[int, int]:
        self.process.stdin.write("done\n")
        self.process.stdin.flush()
        received, distinct = map(int, self.process.stdout.readline().split())
        self.process.wait(timeout=30)
        return received, distinct


class Outbox:
    """The bench's own view of the outbox: make a wave due, count what is sent."""

    def __init__(self, url: str, app):
        self.engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        self.app = app
        with self.engine.connect() as conn:
            self.ids = conn.scalars(sa.select(OutboundMessage.id).order_by(OutboundMessage.id)).all()

    def release(self, ids: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(OutboundMessage).where(OutboundMessage.id.in_(ids))
                         .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        jobs.wake(self.app)

    def sent(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
                OutboundMessage.status == MessageStatus.SENT))


def run_rounds(pages: list[Page], outbox: Outbox, waves: int) -> float:
    """Alternate idle windows and delivery waves; returns the seconds the waves took."""
    def idle_window():
        for _ in range(IDLE_TURNS):
            for page in pages:
                page.idle.append(page.fetch())

    delivering = 0.0
    size = -(-len(outbox.ids) // waves)
    idle_window()
    for wave in range(waves):
        ids = outbox.ids[wave * size:(wave + 1) * size]
        target = min((wave + 1) * size, len(outbox.ids))
        started = clock.perf_counter()
        outbox.release(ids)
        checked = started
        while True:
            for page in pages:
                page.busy.append(page.fetch())
            if clock.perf_counter() - checked > 0.25:
                checked = clock.perf_counter()
                if outbox.sent() >= target:
                    break
                if checked - started > 600:
                    raise SystemExit(f"wave {wave + 1}: not delivered after 10 minutes")
        delivering += clock.perf_counter() - started
        idle_window()
    return delivering


def report(pages: list[Page]) -> bool:
    print(f"  {'page':14} {'idle median':>11} {'busy median':>11} {'ratio':>5}   "
          f"{'idle p95':>8} {'busy p95':>8} {'ratio':>5}   {'n idle/busy':>11}  goal")
    ok = True
    for page in pages:
        im, bm = statistics.median(page.idle) * 1000, statistics.median(page.busy) * 1000
        ip, bp = p95(page.idle) * 1000, p95(page.busy) * 1000
        met = bm <= im * MEDIAN_SLACK and bp <= ip * P95_SLACK
        ok &= met
        print(f"  {page.label:14} {im:8.1f} ms {bm:8.1f} ms {bm / im:5.2f}   {ip:5.1f} ms {bp:5.1f} ms "
              f"{bp / ip:5.2f}   {len(page.idle):5d}/{len(page.busy):<5d}  {'met' if met else 'MISSED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--queue", help="Redis URL for the worker's queue (default: SQLite file)")
    parser.add_argument("--smtp-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_server:
        serve_smtp()
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    smtp = SmtpProcess()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_") and k != "REDIS_URL"}
    env.update({
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'clinic.sqlite3'}",
        "CLINIC_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "CLINIC_INSTANCE_PATH": str(workdir),
        "CLINIC_SESSION_COOKIE_SECURE": "false",
        "CLINIC_MAIL_URL": smtp.url,
        "CLINIC_MAIL_FROM": "clinic@harbour.example",
        "CLINIC_JOBS_SQLITE_PATH": str(workdir / "jobs.sqlite3"),
    })
    if args.queue:
        env["CLINIC_JOBS_URL"] = args.queue
    os.environ.update(env)
    couple_id = prepare(env["DATABASE_URL"], args.messages)
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})

    port = free_port()
    bindir = Path(sys.executable).parent
    web = subprocess.Popen(  # noqa: S603 - our own command line
        [str(bindir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
        stderr=(workdir / "web.log").open("wb"))
    worker = subprocess.Popen(  # noqa: S603 - our own command line
        [str(bindir / "flask"), "--app", "wsgi", "worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(workdir / "worker.log").open("wb"))
    try:
        base = f"http://127.0.0.1:{port}"
        clinician, partner = Browser(base), Browser(base)
        for attempt in range(300):  # gunicorn starting (slowly on a loaded machine)
            try:
                clinician.sign_in()
                break
            except OSError:
                if attempt == 299:
                    raise
                clock.sleep(0.2)
        partner.open_portal("t1")
        pages = [Page("caseload", clinician, "/couples/"),
                 Page("couple page", clinician, f"/couples/{couple_id}"),
                 Page("inbox", clinician, "/inbox/"),
                 Page("portal home", partner, "/portal/")]
        for _ in range(5):  # warm-up: templates compiled, the worker's first run over
            for page in pages:
                page.fetch()
        clock.sleep(3)
        outbox = Outbox(env["DATABASE_URL"], app)
        delivering = run_rounds(pages, outbox, args.waves)
        sent = outbox.sent()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        web.terminate()
        web.wait(timeout=30)
        received, unique = smtp.counts()

    queue = "Redis" if args.queue else "SQLite file"
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgresql") else "SQLite"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.messages} reminders, database {database}, worker queue {queue}, "
          f"{os.cpu_count()} CPUs, load average {load}")
    print(f"  delivered   {received} received ({unique} distinct), {sent} marked sent, in "
          f"{args.waves} waves taking {delivering:.1f} s together ({sent / delivering:.1f} per second)")
    ok = report(pages)
    complete = received == unique == sent == args.messages
    if not complete:
        print("  MISSED: every reminder delivered once")
    print("  goal (no effect on the hot pages: median within "
          f"{(MEDIAN_SLACK - 1) * 100:.0f}%, p95 within {(P95_SLACK - 1) * 100:.0f}% of idle): "
          f"{'met' if ok and complete else 'MISSED'}")
    if not (ok and complete):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
