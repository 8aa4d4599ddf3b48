"""The reminder minute job at scale: 2,000 partners with work due, on SQLite.

Builds a temporary practice with the real migrations (1,000 couples, both partners with an email
address and a portal link, one joint exercise due today each, so 2,000 reminders are due), then
times the worker's job `reminders.send_due(now)` three ways:
  first    the run that queues all 2,000 messages (composing, sealing each link, auditing);
  again    the next minute's run, when everything is already queued (what the worker pays every
           minute of the practice's day);
  closed   a run outside the practice's hours (what it pays every other minute).
Delivery itself is the mail worker's (clinic/mail/delivery.py) and is not timed here. CPU time
is printed beside the wall time: on a shared machine the difference is other processes.

Run: .venv/bin/python bench/reminders_due.py [--couples 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

DUE = date(2026, 11, 11)  # a Wednesday
OPEN = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
CLOSED = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)


def build(couples: int, tmp: Path):
    os.environ["CLINIC_INSTANCE_PATH"] = str(tmp)
    from clinic import create_app

    app = create_app({
        "DEVELOPMENT": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'clinic.sqlite3'}",
        "JOBS_WAKE": False,
    })
    with app.app_context():
        from _due_couples import insert_due_couples

        from clinic.auth.services import NewUser, create_user
        from clinic.practice.services import create_practice

        upgrade(directory=str(ROOT / "migrations"))
        practice = create_practice("Bench practice")
        clinician = create_user(practice.id, NewUser("c@bench.example", "Clinician", "clinician",
                                                     "a long passphrase"))
        insert_due_couples(practice.id, clinician.id, couples, datetime(2026, 11, 2, tzinfo=UTC), DUE)
    return app


def timed(app, now: datetime) -> tuple[int, float, float]:
    from clinic.reminders.services import send_due

    with app.app_context():
        start, cpu = time.perf_counter(), time.process_time()
        queued = send_due(now)
        return queued, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--couples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build(args.couples, Path(tmp))
        for label, now in (("closed", CLOSED), ("first", OPEN), ("again", OPEN)):
            queued, seconds, cpu = timed(app, now)
            print(f"{label:7} {queued:5d} reminders queued in {seconds:6.2f} s ({cpu:.2f} s CPU)")
        with app.app_context():
            from clinic.extensions import db
            from clinic.mail.models import OutboundMessage

            total = db.session.scalar(select(func.count()).select_from(OutboundMessage))
        print(f"outbox  {total:5d} messages for {2 * args.couples} partners")


if __name__ == "__main__":
    main()
