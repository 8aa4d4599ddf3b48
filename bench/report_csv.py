"""The supervision report's downloads at two practice sizes: the streamed CSV (time and peak
memory) and the PDF (time, at the smaller size), with the goals of issue 14.

Builds a temporary SQLite practice with the real migrations (create_app with a temporary instance
path and DEVELOPMENT), bulk-inserts couples, partners, stage history, scale placements, exception
entries and session notes, then downloads the de-identified report as the web and `flask
supervision-report` do (clinic.reports.export.report_file: the audited summary, then the file, the
CSV's lines streamed), timing it (wall and this process's CPU, median of 3 after a warm-up) and
measuring the peak of Python allocations (tracemalloc) in a separate pass. For contrast it also
measures holding every row in a list first.
Goals (exit status 1 when one is missed):
  - the CSV of the larger practice (2,000 couples) in at most 1 s;
  - its streamed peak memory at most 1.1 x that of the smaller practice (200 couples);
  - the PDF of the smaller practice in at most 3 s.
Times are judged on CPU time: the work is single-threaded and in-process (SQLite, WeasyPrint),
so on an idle core it equals the wall time, while on this shared two-core machine the wall time
mostly measures the other sessions; both are printed, with the load average.

Run: .venv/bin/python bench/report_csv.py [--sizes 200 2000]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

CLINICIANS = 8
PLACEMENTS_PER_PARTNER = 8
EXCEPTIONS_PER_COUPLE = 4
NOTES_PER_COUPLE = 6
WEEKS = 16


def build(size: int, tmp: Path):
    """A practice of `size` couples in a fresh SQLite database; returns (app, owner id)."""
    os.environ["CLINIC_INSTANCE_PATH"] = str(tmp)
    from clinic import create_app

    app = create_app({"DEVELOPMENT": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'clinic.sqlite3'}"})
    with app.app_context():
        from clinic.auth.services import NewUser, create_user
        from clinic.couples.models import Couple, CoupleChange, Partner
        from clinic.extensions import db
        from clinic.notes.models import SessionNote
        from clinic.practice.services import create_practice
        from clinic.records.models import ExceptionEntry, ScalePlacement

        upgrade(directory=str(ROOT / "migrations"))
        rng = random.Random(size)
        practice = create_practice("Bench practice")
        def member(email: str, name: str, role: str):
            return create_user(practice.id, NewUser(email, name, role, "a long passphrase"))

        owner = member("owner@bench.example", "Owner", "owner")
        clinicians = [owner.id] + [
            member(f"c{i}@bench.example", f"Clinician {i}", "clinician").id for i in range(CLINICIANS - 1)
        ]
        now = datetime.now(UTC)
        couples, partners, changes, placements, entries, notes = [], [], [], [], [], []
        for cid in range(1, size + 1):
            opened = now - timedelta(weeks=WEEKS, days=rng.randrange(0, 30))
            clinician = clinicians[cid % len(clinicians)]
            stage = rng.randint(1, 6)
            couples.append({
                "id": cid, "practice_id": practice.id, "primary_clinician_id": clinician,
                "case_label": f"Case {cid:06d}, a label of realistic length", "pseudonym": f"C-{cid:06d}",
                "status": rng.choice(("active", "active", "active", "paused", "closed")),
                "current_stage": stage, "created_at": opened, "last_activity_at": now,
            })
            changes.append({"couple_id": cid, "kind": "created", "to_value": "1", "changed_by_id": clinician,
                            "changed_at": opened})
            for n in range(2, stage + 1):
                changes.append({"couple_id": cid, "kind": "stage", "from_value": str(n - 1),
                                "to_value": str(n), "changed_by_id": clinician,
                                "changed_at": opened + timedelta(weeks=2 * (n - 1))})
            for side, position in ((0, "A"), (1, "B")):
                pid = 2 * cid - 1 + side
                partners.append({"id": pid, "couple_id": cid, "position": position,
                                 "name": f"Partner {position} of couple {cid:06d}",
                                 "email": f"p{pid:06d}@bench.example"})
                for k in range(PLACEMENTS_PER_PARTNER):
                    day = (opened + timedelta(weeks=2 * k)).date()
                    placements.append({"couple_id": cid, "partner_id": pid, "source": "portal",
                                       "shared_with_partner": False, "created_at": now, "placed_on": day,
                                       "value": rng.randint(1, 10), "movement": "Some words about it"})
            for k in range(EXCEPTIONS_PER_COUPLE):
                entries.append({"couple_id": cid, "partner_id": 2 * cid - 1 + k % 2, "source": "portal",
                                "shared_with_partner": False, "created_at": now,
                                "occurred_on": (now - timedelta(days=rng.randrange(0, WEEKS * 7))).date(),
                                "context": "A good evening together, written at some length by a partner."})
            for k in range(NOTES_PER_COUPLE):
                day = (opened + timedelta(weeks=2 * k + 1)).date()
                signed = k < NOTES_PER_COUPLE - 1
                notes.append({"couple_id": cid, "clinician_id": clinician, "session_date": day,
                              "status": "signed" if signed else "draft", "sections": {},
                              "cited_exception_ids": [], "scale_today": {},
                              "signed_by_id": clinician if signed else None,
                              "signed_at": now if signed else None,
                              "content_hash": "0" * 64 if signed else None,
                              "created_at": now - timedelta(days=5), "updated_at": now})
        for model, rows in ((Couple, couples), (Partner, partners), (CoupleChange, changes),
                            (ScalePlacement, placements), (ExceptionEntry, entries), (SessionNote, notes)):
            db.session.execute(insert(model), rows)
        db.session.commit()
        counts = {"placements": len(placements), "exceptions": len(entries), "notes": len(notes)}
        return app, owner.id, counts


def consume(report, practice_id, request, clinician_ids, engine, *, hold: bool) -> tuple[int, int]:
    """Read the CSV (streamed, or with every row held first); returns (lines, characters)."""
    from clinic.reports import export
    from clinic.reports.report import couple_rows

    with engine.connect() as connection:
        rows = couple_rows(practice_id, request, clinician_ids, session=connection)
        if hold:
            rows = list(rows)
        lines = chars = 0
        for line in export.csv_lines(report, rows):
            lines += 1
            chars += len(line)
        return lines, chars


RUNS = 3
CSV_GOAL_S = 1.0  # the de-identified CSV of the large practice
PEAK_GOAL = 1.1  # peak memory, large practice / small practice
PDF_GOAL_S = 3.0  # the supervision PDF of the small practice (200 couples)


def clocked(action) -> tuple[float, float]:
    """Median wall and CPU seconds of RUNS runs of `action` after one warm-up."""
    action()
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(size: int, *, pdf: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app, owner_id, counts = build(size, Path(tmp))
        built = time.perf_counter() - start
        from clinic.auth.models import User
        from clinic.extensions import db
        from clinic.reports.export import report_file
        from clinic.reports.report import ReportRequest, build_report, scope

        today = datetime.now(UTC).date()
        request = ReportRequest(today - timedelta(weeks=8), today)
        lines = chars = 0

        def download(fmt: str):
            """What the download does: the audited summary, then the file (CSV lines streamed)."""
            nonlocal lines, chars
            with app.test_request_context():
                owner = db.session.get(User, owner_id)
                file = report_file(owner, request, fmt)
                db.session.commit()  # the request's teardown, before a CSV streams
                if fmt == "pdf":
                    return file.content()
                lines = chars = 0
                for line in file.content():
                    lines += 1
                    chars += len(line)
            return None

        csv_wall, csv_cpu = clocked(lambda: download("csv"))
        pdf_wall = pdf_cpu = pages = None
        if pdf:
            pdf_wall, pdf_cpu = clocked(lambda: download("pdf"))
            pages = len(pypdf.PdfReader(io.BytesIO(download("pdf"))).pages)
        gc.collect()
        tracemalloc.start()
        download("csv")
        peak_stream = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with app.app_context():  # for contrast: every row held in a list first
            owner = db.session.get(User, owner_id)
            report = build_report(owner, request, fmt="csv", with_rows=False)
            clinician_ids, _ = scope(owner, request)
            practice_id = owner.practice_id
            db.session.commit()
            gc.collect()
            tracemalloc.start()
            consume(report, practice_id, request, clinician_ids, db.engine, hold=True)
            peak_held = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            db.engine.dispose()
    return {"size": size, "built_s": built, "csv_wall": csv_wall, "csv_cpu": csv_cpu, "lines": lines,
            "chars": chars, "peak_stream": peak_stream, "peak_held": peak_held, "pdf_wall": pdf_wall,
            "pdf_cpu": pdf_cpu, "pages": pages, **counts}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(200, 2000), metavar=("SMALL", "LARGE"))
    sizes = parser.parse_args().sizes
    results = [measure(size, pdf=(size == sizes[0])) for size in sizes]
    kib = 1024
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (two cores); medians of {RUNS} "
          "runs after a warm-up; CPU = this process's CPU time (wall on an idle core)")
    print(f"{'couples':>8} {'placements':>10} {'CSV lines':>10} {'CSV MiB':>8} {'CSV wall s':>10} "
          f"{'CSV CPU s':>9} {'peak streamed KiB':>17} {'peak all-rows KiB':>17} {'PDF wall s':>10} "
          f"{'PDF CPU s':>9} {'PDF pages':>9}")
    for r in results:
        pdf = (f"{r['pdf_wall']:>10.2f} {r['pdf_cpu']:>9.2f} {r['pages']:>9}" if r["pdf_wall"] is not None
               else f"{'-':>10} {'-':>9} {'-':>9}")
        print(f"{r['size']:>8} {r['placements']:>10} {r['lines']:>10} {r['chars'] / kib / kib:>8.2f} "
              f"{r['csv_wall']:>10.3f} {r['csv_cpu']:>9.3f} {r['peak_stream'] / kib:>17.0f} "
              f"{r['peak_held'] / kib:>17.0f} {pdf}")
    small, large = results
    ratio = large["peak_stream"] / small["peak_stream"]
    print(f"x{large['size'] / small['size']:.0f} couples: CSV lines x{large['lines'] / small['lines']:.1f}, "
          f"CSV time x{large['csv_cpu'] / small['csv_cpu']:.1f}, peak memory streamed x{ratio:.2f} "
          f"(all rows held: x{large['peak_held'] / small['peak_held']:.2f})")
    goals = [
        (f"CSV of {large['size']} couples at most {CSV_GOAL_S:g} s (CPU)", large["csv_cpu"] <= CSV_GOAL_S),
        (f"CSV peak memory {large['size']}/{small['size']} couples at most {PEAK_GOAL}", ratio <= PEAK_GOAL),
        (f"supervision PDF of {small['size']} couples at most {PDF_GOAL_S:g} s (CPU)",
         small["pdf_cpu"] <= PDF_GOAL_S),
    ]
    for label, ok in goals:
        print(f"goal: {label:60} {verdict(ok)}")
    if not all(ok for _, ok in goals):
        raise SystemExit("goals missed (see above)")


if __name__ == "__main__":
    main()
