"""The pages of change run a fixed number of SQL statements however many records a couple has, and
the (partner, day) lookups have their indexes."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import insert

from clinic import create_app
from clinic.extensions import db
from clinic.records.models import TAG_CATEGORIES, ExceptionEntry, ExceptionTag, ScalePlacement

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
START = date(2022, 1, 3)
TAG_VALUES = ("a walk", "cooking together", "evening", "at home", "both of us")


def _fill(couple, clinician, n: int) -> None:
    """`n` exception entries, `n` scale placements and `n` tags, alternating partners, inserted
    in bulk; plus two sessions."""
    from clinic.notes.models import SessionNote

    a, b = couple.partners
    who = [a.id if i % 2 == 0 else b.id for i in range(n)]
    db.session.execute(
        insert(ExceptionEntry),
        [
            {
                "couple_id": couple.id, "partner_id": who[i], "source": "portal" if i % 3 else "session",
                "occurred_on": START + timedelta(days=i), "context": f"Moment {i}",
                "behaviour": "We talked", "meaning": "It can be different", "shared_with_partner": i % 2 == 0,
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(ScalePlacement),
        [
            {
                "couple_id": couple.id, "partner_id": who[i], "source": "portal",
                "placed_on": START + timedelta(days=i), "value": i * 7 % 10 + 1,
                "one_higher": "More walks", "shared_with_partner": i % 4 == 0,
            }
            for i in range(n)
        ],
    )
    entry_ids = db.session.scalars(
        sa.select(ExceptionEntry.id).where(ExceptionEntry.couple_id == couple.id).order_by(ExceptionEntry.id)
    ).all()
    categories = list(TAG_CATEGORIES)
    db.session.execute(
        insert(ExceptionTag),
        [
            {
                "entry_id": entry_id, "couple_id": couple.id, "category": categories[i % 4],
                "value": TAG_VALUES[i % 5], "added_by_user_id": clinician.id,
            }
            for i, entry_id in enumerate(entry_ids)
        ],
    )
    for day in (START + timedelta(days=2), START + timedelta(days=n // 2)):
        db.session.add(
            SessionNote(couple_id=couple.id, clinician_id=clinician.id, session_date=day, status="draft")
        )
    db.session.commit()


def _statements(sql_statements, browser, path: str) -> list[str]:
    with sql_statements() as statements:
        response = browser.get(path)
    assert response.status_code == 200, path
    return statements


@pytest.fixture
def small_and_big(make_user, make_couple):
    clinician = make_user()
    small = make_couple(clinician, label="Ten of each")
    big = make_couple(clinician, label="A thousand of each")
    _fill(small, clinician, 10)
    _fill(big, clinician, 1000)
    return clinician, small, big


def _compare(sql_statements, browser, small_path: str, big_path: str) -> tuple[int, int]:
    browser.get(small_path)  # warm up: first-request work is not the page's
    small = _statements(sql_statements, browser, small_path)
    big = _statements(sql_statements, browser, big_path)
    assert len(small) == len(big), "\n\n".join(s for s in big if s not in small)
    return len(small), len(big)


def test_the_couple_page_runs_as_many_statements_for_1000_records_as_for_10(
    small_and_big, signed_in, sql_statements
):
    clinician, small, big = small_and_big
    browser = signed_in(clinician)

    counts = _compare(sql_statements, browser, f"/couples/{small.id}", f"/couples/{big.id}")

    page = browser.get(f"/couples/{big.id}").get_data(as_text=True)
    assert page.count('class="point"') == 1000  # every placement is drawn
    assert "a walk <span" in page  # and the patterns are counted
    print(f"couple page statements (10 vs 1000): {counts}")


def test_the_timeline_runs_as_many_statements_for_1000_entries_as_for_10(
    small_and_big, signed_in, sql_statements
):
    clinician, small, big = small_and_big
    browser = signed_in(clinician)

    counts = _compare(
        sql_statements, browser,
        f"/records/couples/{small.id}/exceptions", f"/records/couples/{big.id}/exceptions",
    )

    page = browser.get(f"/records/couples/{big.id}/exceptions?page=3").get_data(as_text=True)
    assert "Page 3 of 50" in page
    print(f"timeline statements (10 vs 1000): {counts}")


def test_the_portal_progress_page_runs_as_many_statements_for_1000_records_as_for_10(
    small_and_big, portal_client, sql_statements
):
    _clinician, small, big = small_and_big
    small_browser = portal_client(small.partners[0])
    big_browser = portal_client(big.partners[0])

    small_browser.get("/portal/entries")
    big_browser.get("/portal/entries")
    small_count = len(_statements(sql_statements, small_browser, "/portal/entries"))
    big_statements = _statements(sql_statements, big_browser, "/portal/entries")

    assert small_count == len(big_statements)
    page = big_browser.get("/portal/entries").get_data(as_text=True)
    assert page.count('class="point"') == 500  # partner A's own placements only
    print(f"portal progress statements (10 vs 1000): {small_count, len(big_statements)}")


# --- indexes ------------------------------------------------------------------------------------


def _index_columns(engine_or_conn, table: str) -> list[tuple[str, ...]]:
    return [tuple(ix["column_names"]) for ix in sa.inspect(engine_or_conn).get_indexes(table)]


@pytest.mark.parametrize(
    ("table", "day"), [("exception_entry", "occurred_on"), ("scale_placement", "placed_on")]
)
def test_records_have_a_partner_and_day_index_in_the_migrated_database(app, table, day):
    columns = _index_columns(db.engine, table)

    assert ("partner_id", day) in columns
    assert ("couple_id", day) in columns


def test_the_partner_and_day_indexes_come_with_migration_0002(tmp_path):
    """Upgrade a fresh SQLite database to 0002 only: the indexes are there already."""
    url = f"sqlite:///{tmp_path / 'at_0002.sqlite3'}"
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0002")
        db.engine.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0002"
            indexes = {
                ix["name"]: tuple(ix["column_names"])
                for table in ("exception_entry", "scale_placement")
                for ix in sa.inspect(conn).get_indexes(table)
            }
    finally:
        engine.dispose()

    assert indexes["ix_exception_entry_partner_day"] == ("partner_id", "occurred_on")
    assert indexes["ix_scale_placement_partner_day"] == ("partner_id", "placed_on")
