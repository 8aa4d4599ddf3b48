"""How long asking for a password reset takes for a known address and for an unknown one: the
answer must not tell them apart by its timing. The request only notes the address (the worker
makes the link and the mail), so both do the same work. Requests go through the real view
(POST /accounts/reset), interleaved; the worker's job runs after each pair, outside the timing.
Goal: medians within 15 % of each other.

Run: .venv/bin/python bench/reset_timing.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic import create_app  # noqa: E402
from clinic.accounts.services import send_reset_links  # noqa: E402
from clinic.auth.services import NewUser, create_user  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.practice.services import create_practice  # noqa: E402

RUNS = 100
GOAL = 0.15


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False, "RESET_MAILS_PER_HOUR": 10**6, "JOBS_WAKE": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
            "JOBS_SQLITE_PATH": f"{tmp}/jobs.sqlite3", "MAIL_DIRECTORY": f"{tmp}/mail",
        })
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            practice = create_practice("Bench practice")
            create_user(practice.id, NewUser("known@example.org", "Known", "clinician",
                                             "a long passphrase"))
            db.session.remove()
        client = app.test_client()
        times: dict[str, list[float]] = {"known@example.org": [], "nobody@example.org": []}
        for i in range(RUNS + 5):
            for email in (list(times) if i % 2 else list(times)[::-1]):  # neither always first
                start = time.perf_counter()
                response = client.post("/accounts/reset", data={"email": email})
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200
                if i >= 5:  # warm-up
                    times[email].append(elapsed)
            with app.app_context():
                send_reset_links()
    known, unknown = (statistics.median(t) for t in times.values())
    gap = abs(unknown - known) / known
    print(f"reset asked, known address  : median {known:6.2f} ms")
    print(f"reset asked, unknown address: median {unknown:6.2f} ms")
    print(f"difference: {gap * 100:.1f} % (goal: under {GOAL * 100:.0f} %) -> "
          f"{'met' if gap < GOAL else 'NOT met'}")
    return 0 if gap < GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
