"""A signed note reads the same on any later day: its page and PDF are drawn from what was frozen
when it was signed (the chart as of its session, the words it quoted), not from today's record."""

import html
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from clinic.extensions import db
from clinic.notes import services
from clinic.notes.models import SessionNote
from clinic.records.models import ExceptionEntry
from tests.pdf_helpers import pdf_text

TODAY = datetime.now(UTC).date()
SESSION = TODAY - timedelta(days=14)


def _without_export_line(text: str) -> str:
    return re.sub(r"Exported by .*? on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "", " ".join(text.split()))


def _signed_note(world, add_scale, add_exception, write_note):
    add_scale(world, world.a, SESSION - timedelta(days=16), 3)
    add_scale(world, world.b, SESSION - timedelta(days=16), 4)
    add_scale(world, world.a, SESSION, 7)
    add_scale(world, world.b, SESSION, 6)
    entry = add_exception(world, world.a, SESSION - timedelta(days=2), "We cooked and nobody went quiet")
    note = write_note(world, session_date=SESSION, cited=[entry.id], scale={"A": 7, "B": 6})
    return services.sign_note(world.clinician, note.id), entry


def test_the_pdf_of_a_signed_note_is_the_same_after_later_placements_and_edits(
    world, add_scale, add_exception, write_note,
):
    note, entry = _signed_note(world, add_scale, add_exception, write_note)
    before = pdf_text(services.note_pdf(world.clinician, note.id))

    add_scale(world, world.a, TODAY, 2)  # a fall two weeks after the session
    add_scale(world, world.b, TODAY - timedelta(days=3), 9)
    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == entry.id)
                       .values(context="Something else entirely"))
    db.session.commit()
    after = pdf_text(services.note_pdf(world.clinician, note.id))

    assert _without_export_line(after) == _without_export_line(before)
    assert "We cooked and nobody went quiet" in after
    assert "Something else entirely" not in after
    assert f"{TODAY.day} {TODAY:%b}" not in after  # no date after the session on the chart
    assert services.verify_note(note)


def test_the_page_of_a_signed_note_quotes_the_words_it_was_signed_with(
    client, login, world, add_scale, add_exception, write_note,
):
    note, entry = _signed_note(world, add_scale, add_exception, write_note)
    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == entry.id)
                       .values(context="Something else entirely"))
    db.session.commit()
    login(world.clinician)

    page = html.unescape(client.get(f"/notes/{note.id}").get_data(as_text=True))

    assert "“We cooked and nobody went quiet”" in page
    assert "Something else entirely" not in page
    assert "Verified: the stored note matches" in page


def test_the_snapshot_is_sealed_with_the_note(world, add_scale, add_exception, write_note):
    note, _entry = _signed_note(world, add_scale, add_exception, write_note)
    stored = db.session.scalar(sa.select(SessionNote.snapshot).where(SessionNote.id == note.id))
    assert stored["entries"][0]["context"] == "We cooked and nobody went quiet"
    assert stored["sessions"] == [SESSION.isoformat()]

    forged = {**stored, "entries": [{**stored["entries"][0], "context": "We shouted"}]}
    db.session.execute(sa.update(SessionNote.__table__).where(SessionNote.id == note.id)
                       .values(snapshot=forged))
    db.session.commit()

    assert services.verify_note(note) is False
    assert "NOT VERIFIED" in pdf_text(services.note_pdf(world.clinician, note.id))
