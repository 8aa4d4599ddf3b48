"""2,000 due messages delivered by a real worker to a local SMTP server, and what the app's users
feel meanwhile.

Builds a practice with a clinician and a caseload in a temporary SQLite database made by the
real migrations (or in BENCH_DATABASE_URL, a PostgreSQL database that is emptied), queues 2,000
reminder-sized messages in one transaction (as the reminder job would, through queue_message),
then:
  idle     signs in to the app served by gunicorn and times GET /couples/ (the caseload, the
           page clinicians live on: a query, an audit event and a commit per view);
  deliver  starts `flask --app wsgi worker` against an aiosmtpd server on 127.0.0.1 and times
           the caseload the same way until every message is marked sent.
Prints the delivery time and rate, and the page's median and 95th percentile in both phases.
The SMTP server (aiosmtpd) runs in a process of its own.
`--queue redis://127.0.0.1:6379/5` puts the worker's queue in Redis instead of SQLite.

Run: .venv/bin/python bench/reminders_delivery.py [--messages 2000] [--queue REDIS_URL]
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
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.auth.services import NewUser, create_user  # noqa: E402
from clinic.couples.services import CoupleInput, PartnerInput, create_couple  # noqa: E402
from clinic.domain import MessageStatus  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.mail.models import OutboundMessage  # noqa: E402
from clinic.mail.services import queue_message  # noqa: E402
from clinic.practice.services import create_practice  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402

PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway database
BODY = (
    "Hello {name},\n\nA gentle reminder from Harbour Lane Couples Practice: something your "
    "therapist suggested is waiting for you in your space.\n\nHarbour Lane Couples Practice\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, messages: int) -> None:
    """Schema, a practice with 30 couples, and the queued messages."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    with app.app_context():
        if env["DATABASE_URL"].startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        practice = create_practice("Harbour Lane Couples Practice")
        clinician = create_user(practice.id, NewUser(
            email="bench@example.org", name="Dr Bench", role="clinician", password=PASSWORD))
        for n in range(30):
            create_couple(clinician, CoupleInput(
                case_label=f"Couple {n:02}", partner_a=PartnerInput(f"Partner A{n}", email=f"a{n}@x.example"),
                partner_b=PartnerInput(f"Partner B{n}", email=f"b{n}@x.example")))
        for n in range(messages):
            queue_message(
                practice_id=practice.id, kind="reminder", to_address=f"p{n}@x.example",
                to_name=f"Partner {n}", subject="A reminder from Harbour Lane Couples Practice",
                body=BODY.format(name=f"Partner {n}"), dedupe_key=None,
            )
        db.session.commit()
        db.engine.dispose()


def sent_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
                OutboundMessage.status == MessageStatus.SENT))
    finally:
        engine.dispose()


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def sign_in(self) -> None:
        _, page = self.get("/auth/login")
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrf_token": csrf, "email": "bench@example.org", "password": PASSWORD}).encode()
        with self.opener.open(self.base + "/auth/login", data=data, timeout=30) as response:
            assert "/couples/" in response.url, response.url


def time_page(browser: Browser, stop: threading.Event, samples: list[float], limit: int | None) -> None:
    while not stop.is_set() and (limit is None or len(samples) < limit):
        start = time.perf_counter()
        status, _ = browser.get("/couples/")
        samples.append(time.perf_counter() - start)
        assert status == 200


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (f"median {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   "
            f"({len(ordered)} requests)")


def serve_smtp() -> None:
    """The SMTP server in a process of its own (not competing with the timing client for the
    GIL): prints its port, and on a line from stdin the messages received and distinct."""
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
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
    prepare(env, args.messages)

    port = free_port()
    bindir = Path(sys.executable).parent
    web = subprocess.Popen(  # noqa: S603 - our own command line
        [str(bindir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
        stderr=(workdir / "web.log").open("wb"))
    worker = None
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                browser.sign_in()
                break
            except OSError:
                time.sleep(0.2)
        idle: list[float] = []
        for _ in range(10):  # warm-up
            browser.get("/couples/")
        time_page(browser, threading.Event(), idle, limit=150)

        busy: list[float] = []
        stop = threading.Event()
        timer = threading.Thread(target=time_page, args=(browser, stop, busy, None))
        started = time.perf_counter()
        worker = subprocess.Popen(  # noqa: S603 - our own command line
            [str(bindir / "flask"), "--app", "wsgi", "worker"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=(workdir / "worker.log").open("wb"))
        timer.start()
        while sent_count(env["DATABASE_URL"]) < args.messages:
            if time.perf_counter() - started > 900:
                raise SystemExit("gave up after 15 minutes")
            time.sleep(1.0)
        finished = time.perf_counter()
        stop.set()
        timer.join()
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
        web.terminate()
        web.wait(timeout=30)
        received, unique = smtp.counts()

    queue = "Redis" if args.queue else "SQLite file"
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgresql") else "SQLite"
    print(f"{args.messages} messages, database {database}, worker queue {queue}")
    print(f"  delivered   {received} received ({unique} distinct), all marked sent "
          f"{finished - started:.1f} s after the worker was started "
          f"({args.messages / (finished - started):.1f} per second, its start-up included)")
    print(f"  /couples/ idle      {describe(idle)}")
    print(f"  /couples/ delivery  {describe(busy)}")


if __name__ == "__main__":
    main()
