"""EXPLAIN (ANALYZE, BUFFERS) of every statement the hot pages run, on the large practice in
PostgreSQL (the database bench/large_practice.py builds): the plans docs/scaling.md quotes.

Needs BENCH_DATABASE_URL (as bench/large_practice.py): a database that already holds its large
practice is used as it is (brought to the migration head), else it is made from that bench's
template database, built once if need be (about an hour on this machine). Without it the script
says so and exits 0. Signs in as the large practice's owner, a clinician and a partner, loads each
hot page once with the test client while recording the statements and their parameters (as
tests/conftest.py's sql_statements fixture does), then explains each SELECT with the same
parameters. Read-only EXPLAIN only: the writes a page makes (audit rows, the submission) are
listed, not re-run.

Run: BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_large \
     .venv/bin/python bench/explain_hot_pages.py [--pages "couple page" timeline] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def holds_large_practice(url: str) -> bool:
    """Whether the database already holds bench/large_practice.py's data (then it is used as it
    is, brought to the current migration head, instead of copied afresh from the template)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from clinic import create_app
    from clinic.extensions import db

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            found = conn.scalar(sa.text("SELECT count(*) FROM practice WHERE name = 'large practice'"))
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    if not found:
        return False
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "explain"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="page labels as bench/large_practice.py names them")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        print("PostgreSQL: skipped (set BENCH_DATABASE_URL, as for bench/large_practice.py)")
        return
    os.environ["CLINIC_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-explain-")
    import large_practice
    import sqlalchemy as sa

    from clinic import create_app
    from clinic.extensions import db

    database = url if (holds_large_practice(url) and not args.rebuild) else (
        large_practice.postgresql_database(url, args.rebuild))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "explain-" + os.urandom(8).hex(),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "JOBS_WAKE": False})
    pages = [p for p in large_practice.setup_pages(app, rounds=1) if p.size == "large"]
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    for page in pages:
        page.call()  # warm: caches filled, the first-time writes done
    for page in pages:
        if args.pages and page.label not in args.pages:
            continue
        seen.clear()
        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            page.call()
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)
        print(f"\n=== {page.label} ({len(seen)} statements)")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for n, (statement, parameters) in enumerate(seen, 1):
                one_line = " ".join(statement.split())
                print(f"\n--- {n}. {one_line[:400]}{' …' if len(one_line) > 400 else ''}")
                if not one_line.upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                for (line,) in cursor.fetchall():
                    print(f"    {line}")
            raw.rollback()
        finally:
            raw.close()
    engine.dispose()


if __name__ == "__main__":
    main()
