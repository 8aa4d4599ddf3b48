"""Individual sessions inside a couple case: marked as such, and kept out of what the other
partner sees (their chart's session days) and of any joint release."""

import html
from datetime import date
from types import SimpleNamespace

import pytest

from clinic.extensions import db
from clinic.notes.models import SessionNote
from clinic.notes.services import session_days


@pytest.fixture
def family(make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    joint = SessionNote(couple_id=couple.id, clinician_id=clinician.id, session_date=date(2026, 11, 2),
                        attendees="both", status="draft")
    alone = SessionNote(couple_id=couple.id, clinician_id=clinician.id, session_date=date(2026, 11, 9),
                        attendees="A", status="draft")
    db.session.add_all([joint, alone])
    db.session.commit()
    return SimpleNamespace(clinician=clinician, couple=couple, a=a, b=b, joint=joint, alone=alone)


def test_the_other_partners_chart_never_shows_an_individual_session(family):
    assert session_days(family.couple.id) == [date(2026, 11, 2), date(2026, 11, 9)]
    assert session_days(family.couple.id, position="A") == [date(2026, 11, 2), date(2026, 11, 9)]
    assert session_days(family.couple.id, position="B") == [date(2026, 11, 2)]


def test_an_individual_session_is_marked_for_the_clinician(family, signed_in):
    browser = signed_in(family.clinician)
    couple_page = html.unescape(browser.get(f"/couples/{family.couple.id}").get_data(as_text=True))
    assert "Individual session · Chen Jing" in couple_page
    assert couple_page.count("Individual session") == 1
    detail = html.unescape(browser.get(f"/notes/{family.alone.id}").get_data(as_text=True))
    assert "Individual session" in detail and "PDF for joint release" not in detail
