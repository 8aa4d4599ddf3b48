"""Peak Python memory and time of the streamed supervision-report CSV, at two practice sizes.

Builds a temporary SQLite practice with the real migrations (create_app with a temporary
instance path and DEVELOPMENT), bulk-inserts couples, partners, stage history, scale placements,
exception entries and session notes, then consumes the lines of
    export.csv_lines(report, couple_rows(...))
for `report = build_report(..., with_rows=False)` (clinic.reports.report), the way the CSV download streams
them, measuring the peak of Python allocations (tracemalloc) and, in a separate untraced pass,
the time. For contrast it also measures holding every row in a list (what the page and the PDF
do). The streamed peak should stay roughly flat while the practice grows tenfold.

Run: .venv/bin/python bench/report_csv.py [--sizes 500 5000]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

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
                "case_label": f"Case {cid}, a label of realistic length", "pseudonym": f"C-{cid:06d}",
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
                                 "name": f"Partner {position} of couple {cid}",
                                 "email": f"p{pid}@bench.example"})
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

    with Session(engine) as session:
        rows = couple_rows(practice_id, request, clinician_ids, session=session)
        if hold:
            rows = list(rows)
        lines = chars = 0
        for line in export.csv_lines(report, rows):
            lines += 1
            chars += len(line)
        return lines, chars


def measure(size: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app, owner_id, counts = build(size, Path(tmp))
        built = time.perf_counter() - start
        with app.app_context():
            from clinic.auth.models import User
            from clinic.extensions import db
            from clinic.reports.report import ReportRequest, build_report, scope

            owner = db.session.get(User, owner_id)
            today = datetime.now(UTC).date()
            request = ReportRequest(today - timedelta(weeks=8), today)
            start = time.perf_counter()
            report = build_report(owner, request, fmt="csv", with_rows=False)
            summary_s = time.perf_counter() - start
            clinician_ids, _ = scope(owner, request)
            practice_id = owner.practice_id
            # End this session's transaction, as the request's teardown does before the CSV
            # streams: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE).
            db.session.commit()
            args = (report, practice_id, request, clinician_ids, db.engine)

            consume(*args, hold=False)  # warm-up: statement compilation and caches are one-off costs
            start = time.perf_counter()
            lines, chars = consume(*args, hold=False)
            stream_s = time.perf_counter() - start

            peaks = {}
            for hold in (False, True):
                gc.collect()
                tracemalloc.start()
                consume(*args, hold=hold)
                peaks[hold] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            db.engine.dispose()
    return {"size": size, "built_s": built, "summary_s": summary_s, "stream_s": stream_s, "lines": lines,
            "chars": chars, "peak_stream": peaks[False], "peak_held": peaks[True], **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(500, 5000), metavar=("SMALL", "LARGE"))
    sizes = parser.parse_args().sizes
    results = [measure(size) for size in sizes]
    kib = 1024
    print(f"{'couples':>8} {'placements':>10} {'CSV lines':>10} {'CSV MiB':>8} {'summary s':>9} "
          f"{'stream s':>8} {'peak streamed KiB':>17} {'peak all-rows KiB':>17}")
    for r in results:
        print(f"{r['size']:>8} {r['placements']:>10} {r['lines']:>10} {r['chars'] / kib / kib:>8.2f} "
              f"{r['summary_s']:>9.3f} {r['stream_s']:>8.3f} {r['peak_stream'] / kib:>17.0f} "
              f"{r['peak_held'] / kib:>17.0f}")
    small, large = results
    print(f"x{large['size'] / small['size']:.0f} couples: CSV lines x{large['lines'] / small['lines']:.1f}, "
          f"stream time x{large['stream_s'] / small['stream_s']:.1f}, "
          f"peak memory streamed x{large['peak_stream'] / small['peak_stream']:.2f} "
          f"(all rows held: x{large['peak_held'] / small['peak_held']:.2f})")


if __name__ == "__main__":
    main()
