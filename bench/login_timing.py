"""How long a refused sign-in takes for a known address with a wrong password and for an
unknown address: the two should match (the unknown one is checked against a dummy hash).

Run: .venv/bin/python bench/login_timing.py
"""

import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from clinic import create_app
from clinic.auth.services import NewUser, authenticate, create_user
from clinic.errors import DomainError
from clinic.practice.services import create_practice

ROOT = Path(__file__).resolve().parent.parent


def timed(email: str, runs: int = 15) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.suppress(DomainError):
            authenticate(email, "a wrong password")
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
        })
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            practice = create_practice("Bench practice")
            create_user(practice.id, NewUser("known@example.org", "Known", "clinician", "a long passphrase"))
            timed("known@example.org", 3)  # warm-up
            known, unknown = timed("known@example.org"), timed("nobody@example.org")
    print(f"wrong password, known address : median {statistics.median(known):6.1f} ms")
    print(f"unknown address               : median {statistics.median(unknown):6.1f} ms")
    print(f"ratio unknown/known           : {statistics.median(unknown) / statistics.median(known):.2f}")


if __name__ == "__main__":
    main()
