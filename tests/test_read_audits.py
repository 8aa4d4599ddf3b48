"""Pages that only read are audited even when someone else wrote while they were being read: on
SQLite a GET reads in a deferred transaction, and writing its audit row in that same transaction
would fail ("database is locked") once another writer had committed meanwhile."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.auth.models import User
from clinic.extensions import db


def _meanwhile(user_id: int) -> None:
    """Another request's write, committed while this page is being read."""
    with db.engine.connect() as other, other.begin():
        other.execute(sa.update(User).where(User.id == user_id).values(name="Renamed meanwhile"))


def _exported_note(user, couple):
    from clinic.notes.services import NoteInput, create_note, note_pdf, sign_note

    note = create_note(user, couple.id, NoteInput(
        session_date=date.today(), duration_minutes=50, attendees="both",
        sections={"working": "Walking while talking."}, cited_exception_ids=[], scale_today={},
    ))
    sign_note(user, note.id)
    return lambda reader: note_pdf(reader, note.id)


def _report(_user, _couple):
    from clinic.reports.report import ReportRequest, build_report

    today = date.today()
    return lambda reader: build_report(reader, ReportRequest(today - timedelta(days=30), today))


def _audit_log(_user, _couple):
    from clinic.audit.services import AuditFilter, list_events

    return lambda reader: list_events(reader, AuditFilter(), page=1, per_page=20)


def _failed_mail(_user, _couple):
    from clinic.mail.services import practice_failures

    return lambda reader: practice_failures(reader, page=1, per_page=20)


@pytest.mark.parametrize(("read", "action", "path"), [
    (_exported_note, "note.export", "/notes/1/pdf"),
    (_report, "report.generate", "/reports/"),
    (_audit_log, "audit.view", "/audit/"),
    (_failed_mail, "mail.view_failures", "/mail/failures"),
])
def test_a_read_page_is_audited_when_someone_wrote_meanwhile(app, make_user, make_couple, read, action, path):
    owner = make_user(role="owner")
    page = read(owner, make_couple(owner))
    db.session.rollback()  # the test's own transaction (begun outside a request) ends here

    with app.test_request_context(path, method="GET"):
        reader = db.session.get(User, owner.id, populate_existing=True)  # the request's first read
        _meanwhile(owner.id)
        page(reader)
        db.session.rollback()

    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    ) == 1
