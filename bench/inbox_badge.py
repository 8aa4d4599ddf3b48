"""The inbox badge and the inbox's first page on a practice with years of portal items, on SQLite.

The badge (`inbox.services.unread_count`) is computed on every clinician page, so its cost is
paid on every page view. Builds a temporary practice with the real migrations: `--couples`
couples over 8 clinicians, each couple with 10 submissions, 20 exception entries and 20 scale
placements sent from the portal (50 items a couple), then times, for the owner (whose inbox is
the whole practice) and for one clinician: the badge with nothing read, the first page, then the
badge again after "mark all read" (every item has a read mark).

Run: .venv/bin/python bench/inbox_badge.py [--couples 400]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

CLINICIANS = 8


def build(couples: int, tmp: Path):
    os.environ["CLINIC_INSTANCE_PATH"] = str(tmp)
    from clinic import create_app

    app = create_app({"DEVELOPMENT": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'clinic.sqlite3'}"})
    with app.app_context():
        from clinic.auth.services import NewUser, create_user
        from clinic.couples.models import Couple, Partner
        from clinic.exercises import catalogue
        from clinic.exercises.models import Assignment, Submission
        from clinic.extensions import db
        from clinic.practice.services import create_practice
        from clinic.records.models import ExceptionEntry, ScalePlacement

        upgrade(directory=str(ROOT / "migrations"))
        practice = create_practice("Bench practice")

        def member(n: int, role: str):
            return create_user(practice.id, NewUser(f"u{n}@bench.example", f"User {n}", role,
                                                    "a long passphrase"))

        users = [member(0, "owner")] + [member(n, "clinician") for n in range(1, CLINICIANS)]
        exercise = catalogue.get("hope-question")
        start = datetime(2024, 1, 1, tzinfo=UTC)
        rows = {model: [] for model in (Couple, Partner, Assignment, Submission, ExceptionEntry,
                                        ScalePlacement)}
        item = 0
        for cid in range(1, couples + 1):
            clinician = users[cid % CLINICIANS].id
            rows[Couple].append({
                "id": cid, "practice_id": practice.id, "primary_clinician_id": clinician,
                "case_label": f"Case {cid}", "pseudonym": f"C-{cid:06d}", "status": "active",
                "current_stage": 1, "created_at": start, "last_activity_at": start,
            })
            partners = (2 * cid - 1, 2 * cid)
            for pid, position in zip(partners, "AB", strict=True):
                rows[Partner].append({"id": pid, "couple_id": cid, "position": position,
                                      "name": f"Partner {pid}"})
            for n in range(10):
                item += 1
                at = start + timedelta(hours=item)
                aid = len(rows[Assignment]) + 1
                rows[Assignment].append({
                    "id": aid, "couple_id": cid, "partner_id": partners[n % 2], "joint": False,
                    "exercise_key": exercise.key, "exercise_version": exercise.version,
                    "status": "submitted", "created_by_id": clinician, "created_at": at,
                    "updated_at": at,
                })
                rows[Submission].append({
                    "assignment_id": aid, "couple_id": cid, "partner_id": partners[n % 2],
                    "exercise_key": exercise.key, "exercise_version": exercise.version,
                    "prompts": exercise.snapshot(), "answers": {}, "state": "submitted",
                    "started_at": at, "updated_at": at, "submitted_at": at,
                })
            for n in range(20):
                item += 1
                at = start + timedelta(hours=item)
                common = {"couple_id": cid, "partner_id": partners[n % 2], "source": "portal",
                          "created_at": at}
                rows[ExceptionEntry].append({**common, "occurred_on": date(2024, 1, 1),
                                             "context": "A moment"})
                rows[ScalePlacement].append({**common, "placed_on": date(2024, 1, 1), "value": 5})
        for model, values in rows.items():
            db.session.execute(insert(model), values)
        db.session.commit()
        return app, users[0].id, users[1].id


def timed(app, what, user_id: int, repeat: int = 5) -> float:
    from clinic.auth.models import User
    from clinic.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            what(user)
            best = min(best, time.perf_counter() - start)
        return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--couples", type=int, default=400)
    args = parser.parse_args()
    from clinic.inbox import services

    with tempfile.TemporaryDirectory() as tmp:
        app, owner, clinician = build(args.couples, Path(tmp))
        print(f"{args.couples * 50} portal items in {args.couples} couples")
        for label, user in (("owner", owner), ("clinician", clinician)):
            badge = timed(app, services.unread_count, user)
            first = timed(app, lambda u: services.inbox(u, page=1, per_page=20), user)
            timed(app, services.mark_all_read, user, repeat=1)
            after = timed(app, services.unread_count, user)
            print(f"{label:9} badge {badge * 1000:7.1f} ms   first page {first * 1000:7.1f} ms   "
                  f"badge after mark-all {after * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
