"""Every hot page at the size of a large practice, against a 40-couple practice and a floor.

Builds one database holding two practices with the same density per couple (each couple: 100
exception entries, 50 scale placements, 12 session notes, about 21 assignments, 15 submissions,
100 audit events):
  large  40 clinicians (an owner and 39), 2,000 couples: 200,000 exception entries, 100,000
         placements, 24,000 notes, 43,000 assignments, 30,000 submissions, 200,000 audit rows;
  small  an owner and one clinician, 40 couples.
The schema comes from the real migrations and the rows are bulk inserts of exactly the columns
the services write. Then, in this one process (Flask's test client, no network), it times every
hot page for both practices, interleaved round by round, beside a floor measured in the same
rounds: one indexed query and a 50-row Jinja page through a bare Flask app on the same engine.
Each page's SQL statements are counted (BEGINs aside). Prints one table and exits non-zero when
a goal is missed:
  - at most 8 statements per page, and the same count at both sizes;
  - median large/small at most 1.3;
  - median at most 5 x the floor.

SQLite: the built file is cached in instance/bench/ (keyed by the migration head and this
script's BUILD version) and copied afresh for every run; `--rebuild` builds it again.
PostgreSQL: set BENCH_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/bench_large).
That database is dropped and re-created at each run from a template database next to it
(<name>_template, built once, rebuilt with `--rebuild`).

Run: .venv/bin/python bench/large_practice.py [--rounds 15] [--only sqlite|postgresql] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask, render_template_string  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.audit.models import AuditEvent  # noqa: E402
from clinic.auth.models import User  # noqa: E402
from clinic.auth.passwords import hash_password  # noqa: E402
from clinic.couples.models import Couple, CoupleChange, Partner  # noqa: E402
from clinic.exercises import answers, catalogue  # noqa: E402
from clinic.exercises.models import Assignment, Submission  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.notes import signing  # noqa: E402
from clinic.notes.models import SessionNote  # noqa: E402
from clinic.practice.models import Practice  # noqa: E402
from clinic.records.models import ExceptionEntry, ScalePlacement  # noqa: E402

BUILD = 1  # bump when the generated data changes: the cached database is rebuilt
PASSWORD = "bench passphrase 2026"  # noqa: S105 - a throwaway database
NOW = datetime.now(UTC).replace(microsecond=0)
PER_COUPLE = {"exceptions": 100, "placements": 50, "notes": 12, "submissions": 15, "audit": 100}
MAX_STATEMENTS = 8
MAX_RATIO = 1.3
MAX_FLOOR = 5.0
SIZES = {"large": (40, 2000), "small": (2, 40)}  # (staff, couples)
CONTEXTS = ("After an argument we both stopped and breathed", "Dinner together without phones",
            "A walk after work", "She asked how my day went and listened")


def _head() -> str:
    versions = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    return versions[-1].stem


class Rows:
    """Rows per model with explicit ids, so related rows can name each other before insert."""

    def __init__(self):
        self.rows: dict[type, list[dict]] = {}
        self.next_id: dict[type, int] = {}

    def add(self, model, **values) -> int:
        values.setdefault("id", self.next_id.get(model, 1))
        self.next_id[model] = values["id"] + 1
        self.rows.setdefault(model, []).append(values)
        return values["id"]

    def flush(self) -> None:
        order = (Practice, User, Couple, Partner, CoupleChange, Assignment, Submission,
                 ExceptionEntry, ScalePlacement, SessionNote, AuditEvent)
        for model in order:
            values = self.rows.pop(model, [])
            for start in range(0, len(values), 5000):
                db.session.execute(sa.insert(model), values[start:start + 5000])
        db.session.commit()


def _practice(rows: Rows, name: str, staff: int, couples: int, password_hash: str, rng: random.Random):
    practice_id = rows.add(Practice, name=name, require_two_factor=False,
                           created_at=NOW - timedelta(days=800), timezone="UTC", locale="en")
    user_ids = []
    for n in range(staff):
        user_ids.append(rows.add(
            User, practice_id=practice_id, email=f"{name.split()[0].lower()}-{n}@bench.example",
            name=f"Clinician {n}", password_hash=password_hash, must_change_password=False,
            role="owner" if n == 0 else "clinician", active=True, session_version=1,
            created_at=NOW - timedelta(days=800), locale="en"))
    clinicians = user_ids[1:] or user_ids
    hope = catalogue.get("hope-question")
    snapshot = hope.snapshot()
    first_couple = None
    for c in range(couples):
        clinician = clinicians[c % len(clinicians)]
        started = NOW - timedelta(days=rng.randint(60, 720))
        # Most couples active; a tenth quiet for weeks (they belong on the attention list).
        last = NOW - timedelta(days=rng.choice([1, 2, 3, 5, 8, 20, 40]))
        couple_id = rows.add(
            Couple, practice_id=practice_id, primary_clinician_id=clinician, case_label=f"Case {c:04d}",
            status="active" if c % 10 else "paused", current_stage=1 + c % 6,
            pseudonym=f"C-{practice_id}{c:05d}", created_at=started, last_activity_at=last,
            reminders_off=False)
        first_couple = first_couple or couple_id
        rows.add(CoupleChange, couple_id=couple_id, kind="created", to_value="1",
                 changed_by_id=clinician, changed_at=started)
        partners = [rows.add(Partner, couple_id=couple_id, position=pos, name=f"Partner {pos}{c}",
                             email=f"{pos.lower()}{c}@clients.example", portal_session_version=1,
                             reminders_paused=False, locale="en") for pos in "AB"]
        span = (last - started).total_seconds()

        def at(i: int, n: int, started=started, span=span) -> datetime:
            return started + timedelta(seconds=span * (i + 1) / (n + 1))

        assignments = []
        for i in range(21 + c % 2):
            when = at(i, 22)
            partner = partners[i % 2]
            done = i < PER_COUPLE["submissions"]
            aid = rows.add(Assignment, couple_id=couple_id, partner_id=partner, joint=False,
                           exercise_key=hope.key, exercise_version=hope.version,
                           due_on=(when + timedelta(days=7)).date(),
                           status="submitted" if done else "assigned",
                           created_by_id=clinician, created_at=when, updated_at=when)
            assignments.append(aid)
            if done:
                rows.add(Submission, assignment_id=aid, couple_id=couple_id, partner_id=partner,
                         exercise_key=hope.key, exercise_version=hope.version, prompts=snapshot,
                         answers={"a_little_better": "We would talk over breakfast."}, state="submitted",
                         shared_with_partner=bool(i % 3), started_at=when, updated_at=when,
                         submitted_at=when + timedelta(hours=2))
        n = PER_COUPLE["exceptions"]
        for i in range(n):
            when = at(i, n)
            rows.add(ExceptionEntry, couple_id=couple_id, partner_id=partners[i % 2],
                     source="portal" if i % 4 else "session", shared_with_partner=bool(i % 2),
                     created_at=when, occurred_on=when.date(), context=CONTEXTS[i % len(CONTEXTS)],
                     behaviour="We stayed calm" if i % 3 == 0 else None,
                     recorded_by_id=None if i % 4 else clinician)
        n = PER_COUPLE["placements"]
        values = {p: rng.randint(3, 8) for p in partners}
        for i in range(n):
            when = at(i, n)
            partner = partners[i % 2]
            values[partner] = min(10, max(1, values[partner] + rng.choice([-2, -1, 0, 0, 1, 1])))
            rows.add(ScalePlacement, couple_id=couple_id, partner_id=partner,
                     source="portal" if i % 3 else "session", shared_with_partner=False, created_at=when,
                     placed_on=when.date(), value=values[partner],
                     recorded_by_id=None if i % 3 else clinician)
        n = PER_COUPLE["notes"]
        for i in range(n):
            when = at(i, n).replace(microsecond=0)
            note = {"id": rows.next_id.get(SessionNote, 1), "couple_id": couple_id, "clinician_id": clinician,
                    "session_date": when.date(), "duration_minutes": 50, "attendees": "both",
                    "sections": {"focus": "What went a little better this week.",
                                 "exceptions": "Both named a calm evening."},
                    "cited_exception_ids": [], "scale_today": {}, "signed_by_id": None,
                    "signed_at": None, "content_hash": None}
            if i < n - 1:  # signed as sign_note does it; the latest is a draft
                note.update(signed_by_id=clinician, signed_at=when, content_hash=signing.note_hash(
                    note, [], signed_by_id=clinician, signed_at=when))
            rows.add(SessionNote, **note, status="draft" if i == n - 1 else "signed",
                     created_at=when, updated_at=when)
        n = PER_COUPLE["audit"]
        for i in range(n):
            rows.add(AuditEvent, practice_id=practice_id, actor_user_id=clinician, action="couple.view",
                     object_type="couple", object_id=couple_id, couple_id=couple_id, at=at(i, n),
                     ip="127.0.0.1")
        if c % 200 == 199:
            rows.flush()
    rows.flush()
    return practice_id, user_ids, first_couple


def build(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "SQLITE_SYNCHRONOUS": "OFF"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        rng = random.Random(14)
        password_hash = hash_password(PASSWORD)
        rows = Rows()
        for name, (staff, couples) in SIZES.items():
            started = time.perf_counter()
            _practice(rows, f"{name} practice", staff, couples, password_hash, rng)
            print(f"  built the {name} practice in {time.perf_counter() - started:.0f} s", flush=True)
        # Sequences (PostgreSQL) must continue after the explicit ids.
        if db.engine.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.autoincrement:
                    query = (f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                             f"coalesce((SELECT max(id) FROM \"{table.name}\"), 1))")  # our own tables
                    db.session.execute(sa.text(query))
            db.session.commit()
            # VACUUM as autovacuum would soon after a bulk load (it sets the visibility map that
            # index-only scans need; a live database is vacuumed): outside a transaction.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()


def sqlite_database(rebuild: bool) -> str:
    cache = ROOT / "instance" / "bench" / f"large-{_head()}-b{BUILD}.sqlite3"
    if rebuild or not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("large-*.sqlite3*"):
            old.unlink()
        partial = cache.with_suffix(".building")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        print(f"building {cache.name} (SQLite) ...", flush=True)
        build(f"sqlite:///{partial}")
        partial.rename(cache)
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-large-")) / "clinic.sqlite3"
    shutil.copyfile(cache, work)
    return f"sqlite:///{work}"


def postgresql_database(url: str, rebuild: bool) -> str:
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name, template = parsed.database, f"{parsed.database}_template"
    marker = f"clinic bench {_head()} b{BUILD}"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        current = conn.scalar(sa.text(
            "SELECT description FROM pg_shdescription JOIN pg_database d ON d.oid = objoid "
            "WHERE d.datname = :n"), {"n": template})
        if rebuild or current != marker:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{template}"'))
            started = time.perf_counter()
            print(f"building {template} (PostgreSQL) ...", flush=True)
            build(parsed.set(database=template).render_as_string(hide_password=False))
            conn.execute(sa.text(f"COMMENT ON DATABASE \"{template}\" IS '{marker}'"))
            print(f"  {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


# --- timing ------------------------------------------------------------------------------------

@dataclass
class Page:
    label: str
    size: str
    call: object  # () -> response
    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)


def floor_app(engine) -> Flask:
    bare = Flask("floor")
    template = ("<!doctype html><title>Floor</title><table>{% for r in rows %}<tr><td>{{ r.n }}</td>"
                "<td>{{ r.label }}</td></tr>{% endfor %}</table>")

    @bare.route("/")
    def index():
        with engine.connect() as conn:
            label = conn.scalar(sa.select(Couple.case_label).where(Couple.id == 1))
        return render_template_string(template, rows=[{"n": n, "label": label} for n in range(50)])

    return bare


def setup_pages(app, rounds: int) -> list[Page]:
    """Sign in (owner, a clinician, a partner's portal) for each practice; name the pages."""
    from clinic.exercises.services import AssignmentRequest, assign_exercises
    from clinic.portal.services import issue_link

    pages: list[Page] = []
    with app.app_context():
        practices = db.session.execute(sa.select(Practice.id, Practice.name).order_by(Practice.id)).all()
    for practice_id, name in practices:
        size = name.split()[0]
        with app.app_context():
            owner = db.session.scalar(sa.select(User).where(
                User.practice_id == practice_id, User.role == "owner"))
            clinician = db.session.scalar(sa.select(User).where(
                User.practice_id == practice_id, User.role == "clinician").order_by(User.id))
            couple = db.session.scalar(sa.select(Couple).where(
                Couple.primary_clinician_id == clinician.id, Couple.status == "active").order_by(Couple.id))
            couple_id = couple.id
            partner_id = couple.partners[0].id
            fresh = assign_exercises(clinician, couple_id, [
                AssignmentRequest(exercise_key="hope-question", target="A") for _ in range(rounds + 2)])
            open_ids = [a.id for a in fresh]
            token = issue_link(clinician, couple_id, partner_id, valid_days=None).token
            owner_email, clinician_email = owner.email, clinician.email
        staff = {}
        for who, email in (("owner", owner_email), ("clinician", clinician_email)):
            browser = app.test_client()
            response = browser.post("/auth/login", data={"email": email, "password": PASSWORD})
            assert response.status_code == 302 and "/auth/" not in response.location, response.location
            staff[who] = browser
        partner = app.test_client()
        assert partner.get(f"/portal/l/{token}").status_code == 200
        assert partner.post("/portal/continue", data={"token": token}).status_code == 302

        def get(browser, path):
            def call():
                response = browser.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response
            return call

        def submit(partner=partner, open_ids=open_ids):
            aid = open_ids.pop()
            response = partner.post(f"/portal/exercises/{aid}", data={
                answers.input_name("a_little_better"): "We would have breakfast together.",
                "sharing": "private", "action": "submit"})
            assert response.status_code == 302, response.status_code
            return response

        clinician_b, owner_b = staff["clinician"], staff["owner"]
        pages += [
            Page("clinician caseload", size, get(clinician_b, "/couples/")),
            Page("owner caseload", size, get(owner_b, "/couples/")),
            Page("couple page", size, get(clinician_b, f"/couples/{couple_id}")),
            Page("timeline", size, get(clinician_b, f"/records/couples/{couple_id}/exceptions")),
            Page("inbox", size, get(clinician_b, "/inbox/")),
            Page("note editor", size, get(clinician_b, f"/notes/couples/{couple_id}/new")),
            Page("portal home", size, get(partner, "/portal/")),
            Page("portal exercise form", size, get(partner, f"/portal/exercises/{open_ids[0]}")),
            Page("portal submit", size, submit),
            Page("portal progress", size, get(partner, "/portal/entries")),
        ]
    return pages


def _check(response):
    assert response.status_code == 200, response.status_code
    return response


def run(url: str, rounds: int) -> bool:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + os.urandom(8).hex(),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "JOBS_WAKE": False})
    pages = setup_pages(app, rounds)
    with app.app_context():
        engine = db.engine
    bare = floor_app(engine).test_client()
    floor = Page("floor", "-", lambda: _check(bare.get("/")))
    seen: list[str] = []

    def capture(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    everything = [floor, *pages]
    for page in everything:  # warm-up: templates compiled, caches filled
        page.call()
    for _ in range(rounds):
        for page in everything:
            seen.clear()
            started = time.perf_counter()
            page.call()
            page.times.append(time.perf_counter() - started)
            page.statements.append(len(seen))
    sa.event.remove(engine, "before_cursor_execute", capture)
    with app.app_context():
        db.engine.dispose()
    return report(engine.dialect.name, floor, pages)


def report(dialect: str, floor: Page, pages: list[Page]) -> bool:
    floor_ms = statistics.median(floor.times) * 1000
    print(f"\n{dialect}: floor (one indexed query + a 50-row page, bare Flask) median {floor_ms:.2f} ms; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':22} {'stmts S':>7} {'stmts L':>7} {'small ms':>9} {'large ms':>9} "
          f"{'L/S':>5} {'L/floor':>7}  goals")
    ok = True
    labels = dict.fromkeys(p.label for p in pages)
    for label in labels:
        small = next(p for p in pages if p.label == label and p.size == "small")
        large = next(p for p in pages if p.label == label and p.size == "large")
        s_med, l_med = (statistics.median(p.times) * 1000 for p in (small, large))
        s_st, l_st = max(small.statements), max(large.statements)
        ratio, vs_floor = l_med / s_med, l_med / floor_ms
        missed = []
        if max(s_st, l_st) > MAX_STATEMENTS:
            missed.append(f"> {MAX_STATEMENTS} statements")
        if s_st != l_st:
            missed.append("statements grow")
        if ratio > MAX_RATIO:
            missed.append(f"L/S > {MAX_RATIO}")
        if vs_floor > MAX_FLOOR:
            missed.append(f"> {MAX_FLOOR:g}x floor")
        ok &= not missed
        print(f"{label:22} {s_st:7d} {l_st:7d} {s_med:9.1f} {l_med:9.1f} {ratio:5.2f} {vs_floor:7.1f}  "
              f"{'ok' if not missed else 'MISSED: ' + ', '.join(missed)}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    os.environ["CLINIC_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-large-instance-")
    ok = True
    if args.only in (None, "sqlite"):
        ok &= run(sqlite_database(args.rebuild), args.rounds)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if args.only in (None, "postgresql"):
        if pg:
            ok &= run(postgresql_database(pg, args.rebuild), args.rounds)
        else:
            print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL to a database this bench may drop)")
    if not ok:
        raise SystemExit("\ngoals missed (see above)")


if __name__ == "__main__":
    main()
