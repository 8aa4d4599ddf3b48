"""The demo's signed notes read as records of their sessions: each signed on its session's day,
quoting only moments logged before it was written, its chart ending at its session, its PDF on
two pages."""

import sqlalchemy as sa

from clinic.extensions import db
from clinic.notes import services
from clinic.notes.models import SessionNote
from clinic.records.models import ExceptionEntry
from tests.pdf_helpers import page_texts


def test_each_demo_note_is_signed_on_its_day_with_a_chart_as_of_that_day(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    signed = list(db.session.scalars(
        sa.select(SessionNote).where(SessionNote.status == "signed").order_by(SessionNote.id)
    ))
    assert len(signed) >= 3

    for note in signed:
        assert note.signed_at.date() == note.session_date, note.id
        days = [point[0] for points in note.snapshot["scale"].values() for point in points]
        assert days and max(days) <= note.session_date.isoformat(), note.id
        logged = db.session.scalars(sa.select(ExceptionEntry.created_at).where(
            ExceptionEntry.id.in_(note.cited_exception_ids or [-1])))
        assert all(at <= note.signed_at for at in logged), note.id
        assert services.verify_note(note)
        owner = note.clinician
        pages = page_texts(services.note_pdf(owner, note.id))
        assert len(pages) <= 2, (note.id, len(pages))
