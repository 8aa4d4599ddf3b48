"""The privacy crawl for safety work: canaries planted in a flag's reason, a private check-in and a
partner's text with danger words never reach the other partner's portal, the joint release of a
note, or the practice's report and export."""

import html
from datetime import date, timedelta

import pytest

from clinic.exercises.services import AssignmentRequest, assign_exercises, save_answers
from clinic.notes.services import NoteInput, create_note, note_pdf, sign_note
from clinic.reports.export import report_file
from clinic.reports.report import ReportRequest
from clinic.safety import checkins, services
from clinic.timeutil import utcnow
from tests.pdf_helpers import pdf_text

FLAG = "CANARY-FLAG-8Z"
CHECKIN = "CANARY-CHECKIN-8Z"
DANGER = "CANARY-DANGER-8Z"
# What the clinician's pages call these things: none of it may reach a partner either.
WORDS = ("safety flag", "signal danger", "private check-in", "Let it through")


@pytest.fixture
def planted(make_practice, make_user, make_couple, log_exception):
    practice = make_practice()
    owner = make_user(practice, role="owner")
    clinician = make_user(practice)
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    services.set_flag(clinician, couple.id, FLAG, partner_id=a.id)
    checkin = checkins.offer_checkin(clinician, couple.id, a.id)
    checkins.submit_checkin(a, checkin.id, {"anything_else": f"{CHECKIN} he hit me"})
    entry = log_exception(a, utcnow().date() - timedelta(days=1), f"{DANGER} I am scared of him")
    [hope] = assign_exercises(clinician, couple.id, [AssignmentRequest("hope-question", "A")])
    save_answers(a, hope.id, {"a_little_better": f"{DANGER} he threatened me", "first_noticed": ""},
                 submit=True, shared=True)  # shared by A, held back by the flag
    return practice, owner, clinician, couple, a, b, entry


def test_the_other_partners_portal_shows_none_of_it(planted, portal_client):
    *_, b, _entry = planted
    browser = portal_client(b)
    home = html.unescape(browser.get("/portal/").get_data(as_text=True))
    pages = [home]
    for path in ("/portal/entries", "/portal/add/exception", "/portal/add/scale"):
        pages.append(html.unescape(browser.get(path).get_data(as_text=True)))
    for page in pages:
        for canary in (FLAG, CHECKIN, DANGER, *WORDS):
            assert canary.lower() not in page.lower(), canary


def test_a_joint_release_and_the_practice_report_show_none_of_it(planted):
    _practice, owner, clinician, couple, _a, _b, entry = planted
    note = create_note(clinician, couple.id, NoteInput(
        session_date=utcnow().date(), attendees="both",
        sections={"unique_outcomes": "They talked through the evening together."},
        cited_exception_ids=[entry.id],
    ))
    sign_note(clinician, note.id)
    assert DANGER in pdf_text(note_pdf(clinician, note.id))  # the clinician's own copy quotes it
    joint = pdf_text(note_pdf(clinician, note.id, joint=True))
    assert "Session note" in joint
    for canary in (FLAG, CHECKIN, DANGER):
        assert canary not in joint
    request = ReportRequest(since=date.today() - timedelta(days=30), until=date.today(), identified=True)
    for fmt in ("csv", "pdf"):
        content = report_file(owner, request, fmt).content()
        text = pdf_text(content) if fmt == "pdf" else "".join(content)
        for canary in (FLAG, CHECKIN, DANGER):
            assert canary not in text, fmt
