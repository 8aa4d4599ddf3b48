"""Portal submissions per second over gunicorn, against a hello-world Flask app on the same server.

For each database (SQLite in a temporary folder; PostgreSQL too when BENCH_DATABASE_URL is set: a
database named after it with `_throughput` appended is dropped and re-created) it seeds a practice
through the services (one couple per client, each partner A with a portal link and enough open
exercises), then for each gunicorn setting (workers x threads) starts two gunicorns on free ports,
the app (`wsgi:app`, this folder's gunicorn.conf.py: WeasyPrint warmed in each worker) and a
hello-world Flask app with the same setting, and drives each in turn with the same concurrent
clients (threads of this process, http.client over keep-alive connections): hello, app, hello.
Each app client is a partner signed in through their link who submits one exercise after another
(a POST answered 303/302). Afterwards the submissions in the database are counted: every
submission the server acknowledged must be there (0 lost).

Prints one table per database: requests per second of the app and of hello-world (the mean of
the runs before and after), their ratio, errors and lost submissions. Rate limits are on, kept
in Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, emptied before each setting); CSRF
is off (the clients post without a form first). The goal (exit status 1
when missed): for the setting the README's production command uses, the app at least 25% of
hello-world, no errors, 0 lost.

Run: .venv/bin/python bench/throughput.py [--seconds 8] [--clients 8] [--settings 2x1 2x4 3x4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 0.25
PRODUCTION = "2x4"  # workers x threads of the README's production command
DEFAULT_SETTINGS = ("2x1", "2x4", "3x4", "4x2")
HELLO = '''from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, world!"
'''


@dataclass
class Outcome:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, instance: Path, clients: int, per_client: int) -> list[tuple[str, list[int]]]:
    """A practice with one couple per client; returns each partner A's link token and open
    assignment ids."""
    from flask_migrate import upgrade

    from clinic import create_app
    from clinic.auth.services import NewUser, create_user
    from clinic.couples.services import CoupleInput, PartnerInput, create_couple
    from clinic.exercises.services import AssignmentRequest, assign_exercises
    from clinic.extensions import db
    from clinic.portal.services import issue_link
    from clinic.practice.services import create_practice

    os.environ["CLINIC_INSTANCE_PATH"] = str(instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "DEVELOPMENT": True,
                      "JOBS_WAKE": False, "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 8})
    seeded = []
    with app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        practice = create_practice("Throughput practice")
        clinician = create_user(practice.id, NewUser("ruth@bench.example", "Ruth", "clinician",
                                                     "a long bench passphrase"))
        for n in range(clients):
            couple = create_couple(clinician, CoupleInput(
                case_label=f"Couple {n}", partner_a=PartnerInput(f"A{n}"), partner_b=PartnerInput(f"B{n}")))
            partner = next(p for p in couple.partners if p.position == "A")
            assigned = assign_exercises(clinician, couple.id, [
                AssignmentRequest(exercise_key="hope-question", target="A") for _ in range(per_client)])
            token = issue_link(clinician, couple.id, partner.id, valid_days=None).token
            seeded.append((token, [a.id for a in assigned]))
        db.session.remove()
        db.engine.dispose()
    return seeded


def submitted_count(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        count = conn.scalar(sa.text("SELECT count(*) FROM submission WHERE state = 'submitted'"))
    engine.dispose()
    return count


def start(args: list[str], env: dict, cwd: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL,  # noqa: S603
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 120 s")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def drive(port: int, seconds: float, jobs: list) -> Outcome:
    """Run each job (a callable taking a connection and returning (ok, done)) in its own thread,
    over its own keep-alive connection, until `seconds` pass or every job is done."""
    outcome = Outcome()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(job) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ok = errors = 0
        while time.perf_counter() < stop_at:
            try:
                good, done = job(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                errors += 1
                continue
            ok += good
            errors += not good
            if done:
                break
        conn.close()
        with lock:
            outcome.requests += ok
            outcome.errors += errors

    threads = [threading.Thread(target=client, args=(job,)) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    return outcome


def hello_job(conn) -> tuple[bool, bool]:
    conn.request("GET", "/")
    response = conn.getresponse()
    response.read()
    return response.status == 200, False


def portal_job(port: int, token: str, assignment_ids: list[int], acknowledged: list[int]):
    """Sign in through the link, then submit one open exercise per request."""
    from clinic.exercises import answers

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/portal/l/{token}")
    response = conn.getresponse()
    response.read()
    conn.request("POST", "/portal/continue", body=urlencode({"token": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = "; ".join(
        value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie")
    conn.close()
    if response.status not in (302, 303) or not cookie:
        raise SystemExit(f"portal sign-in failed: {response.status}")
    field = answers.input_name("a_little_better")
    remaining = list(assignment_ids)

    def job(conn) -> tuple[bool, bool]:
        aid = remaining[-1]
        conn.request("POST", f"/portal/exercises/{aid}", body=urlencode({
            field: "We would have breakfast together.", "sharing": "private", "action": "submit"}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        ok = response.status in (302, 303) and "/portal/exercises/" not in response.getheader("Location", "")
        if ok:
            remaining.pop()
            acknowledged.append(aid)
        return ok, not remaining

    return job


def measure(url: str, label: str, settings: list[str], seconds: float, clients: int) -> list[dict]:
    rows = []
    for setting in settings:
        workers, threads = (int(x) for x in setting.split("x"))
        work = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
        if url.startswith("sqlite"):
            db_url = f"sqlite:///{work / 'clinic.sqlite3'}"
        else:
            db_url = recreate_postgresql(url)
        # Enough open exercises that no client runs out before the time is up.
        seeded = seed(db_url, work, clients, per_client=int(seconds * 60))
        limits = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        redis.Redis.from_url(limits).flushdb()  # this bench's own Redis database: counts from zero
        (work / "hello.py").write_text(HELLO)
        (work / "empty.conf.py").write_text("")
        env = {**os.environ, "DATABASE_URL": db_url, "CLINIC_INSTANCE_PATH": str(work),
               "CLINIC_SECRET_KEY": "bench-" + os.urandom(16).hex(), "CLINIC_WORKERS": str(workers),
               "CLINIC_SESSION_COOKIE_SECURE": "false", "CLINIC_WTF_CSRF_ENABLED": "false",
               "CLINIC_RATELIMIT_STORAGE_URI": limits,
               # The clients exchange their links together from one address: not what is measured.
               "CLINIC_PORTAL_LINK_LIMIT": "1000 per minute",
               "CLINIC_JOBS_WAKE": "false", "PYTHONPATH": str(ROOT)}
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
        common = ["--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
                  "--keep-alive", "5", "--log-level", "warning"]
        app_port, hello_port = free_port(), free_port()
        app = start([gunicorn, "--bind", f"127.0.0.1:{app_port}", *common, "wsgi:app"], env, ROOT, app_port)
        hello = start([gunicorn, "-c", str(work / "empty.conf.py"), "--chdir", str(work), "--bind",
                       f"127.0.0.1:{hello_port}", *common, "hello:app"], env, work, hello_port)
        acknowledged: list[int] = []
        try:
            jobs = [portal_job(app_port, token, ids, acknowledged) for token, ids in seeded]
            load = os.getloadavg()[0]
            before = drive(hello_port, seconds, [hello_job] * clients)
            portal = drive(app_port, seconds, jobs)
            after = drive(hello_port, seconds, [hello_job] * clients)
        finally:
            stop(app)
            stop(hello)
        stored = submitted_count(db_url)
        hello_rate = (before.per_second + after.per_second) / 2
        rows.append({"setting": setting, "app": portal.per_second, "hello": hello_rate,
                     "ratio": portal.per_second / hello_rate if hello_rate else 0.0,
                     "errors": portal.errors, "hello_errors": before.errors + after.errors,
                     "acknowledged": len(acknowledged), "lost": len(acknowledged) - stored,
                     "stored": stored, "load": load})
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{label}: {clients} clients, {seconds:g} s per run (hello, app, hello); "
          f"load average at each start shown")
    print(f"{'workers x threads':>17} {'app req/s':>9} {'hello req/s':>11} {'ratio':>6} {'app errors':>10} "
          f"{'acknowledged':>12} {'in database':>11} {'lost':>4} {'load':>5}")
    for r in rows:
        print(f"{r['setting']:>17} {r['app']:>9.1f} {r['hello']:>11.1f} {r['ratio']:>6.2f} {r['errors']:>10} "
              f"{r['acknowledged']:>12} {r['stored']:>11} {r['lost']:>4} {r['load']:>5.1f}")
    return rows


def recreate_postgresql(url: str) -> str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{parsed.database}_throughput"
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--settings", nargs="+", default=list(DEFAULT_SETTINGS),
                        help="workers x threads, e.g. 2x4")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    settings = args.settings if PRODUCTION in args.settings else [*args.settings, PRODUCTION]
    results = {}
    if args.only in (None, "sqlite"):
        results["SQLite"] = measure("sqlite://", "SQLite", settings, args.seconds, args.clients)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if args.only in (None, "postgresql"):
        if pg:
            results["PostgreSQL"] = measure(pg, "PostgreSQL", settings, args.seconds, args.clients)
        else:
            print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL; <name>_throughput is dropped and made)")
    ok = True
    for label, rows in results.items():
        row = next(r for r in rows if r["setting"] == PRODUCTION)
        met = row["ratio"] >= GOAL and row["errors"] == 0 and row["lost"] == 0
        ok &= met
        print(f"goal ({label}, {PRODUCTION} as in the README): app at least {GOAL:.0%} of hello-world, "
              f"no errors, 0 lost: {'met' if met else 'MISSED'} ({row['ratio']:.0%})")
    if not ok:
        raise SystemExit("goals missed (see above)")


if __name__ == "__main__":
    main()
