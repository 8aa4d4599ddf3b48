"""The private safety check-in: offered to one partner, answered in their own space, read by the
clinician alone; never through the other partner's link; the practice's questions and contacts."""

import html

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.exercises.services import AssignmentRequest, assign_exercises
from clinic.extensions import db
from clinic.safety import checkins, services
from clinic.safety.models import DangerSignal, SafetyCheckin

CANARY = "CANARY-CHECKIN-ANSWER-3K"
PORTAL_PAGES = ("/portal/", "/portal/entries", "/portal/add/exception", "/portal/add/scale")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_shipped_questions_are_in_both_languages():
    questions = checkins.default_questions()
    assert len(questions) >= 6
    assert all(q["en"].strip() and q["zh_Hans"].strip() for q in questions)
    assert {q["kind"] for q in questions} == {"yesno", "text"}


def test_a_partner_answers_and_only_the_clinician_reads_it(family, portal_client, signed_in):
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    with pytest.raises(DomainError):
        checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    a, b = portal_client(family.a), portal_client(family.b)
    assert "A few private questions" in text(a.get("/portal/"))
    assert "A few private questions" not in text(b.get("/portal/"))
    assert b.get(f"/portal/checkin/{checkin.id}").status_code == 404

    form = text(a.get(f"/portal/checkin/{checkin.id}"))
    assert "At home, do you feel safe right now?" in form
    response = a.post(f"/portal/checkin/{checkin.id}",
                      data={"safe_at_home": "no", "afraid": "yes", "anything_else": CANARY})
    assert response.status_code == 302

    # Sent once; it leaves the portal.
    assert a.get(f"/portal/checkin/{checkin.id}").status_code == 404
    assert "A few private questions" not in text(a.get("/portal/"))
    for path in PORTAL_PAGES:
        assert CANARY not in text(b.get(path)), path
    clinic = signed_in(family.clinician)
    assert "Offer Chen Jing a private check-in" in text(clinic.get(f"/couples/{family.couple.id}"))
    page = text(clinic.get(f"/safety/couples/{family.couple.id}/checkins/{checkin.id}"))
    assert CANARY in page and "Not sure" not in page  # "yes" and "no" were answered; the rest empty
    assert "Private check-in of Chen Jing" in page
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"safety.checkin_offer", "portal.checkin_submit", "safety.checkin_view"} <= actions


def test_a_bad_answer_is_refused_and_kept(family, portal_client):
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    a = portal_client(family.a)
    response = a.post(f"/portal/checkin/{checkin.id}", data={"safe_at_home": "maybe", "contact": "after 6"})
    assert response.status_code == 422 and "after 6" in text(response)
    assert db.session.get(SafetyCheckin, checkin.id).state == "open"


def test_words_in_a_check_in_bring_the_couple_to_attention(family, portal_client, signed_in):
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.b.id)
    portal_client(family.b).post(f"/portal/checkin/{checkin.id}", data={"anything_else": "他威胁我"})
    signal = db.session.scalars(sa.select(DangerSignal)).one()
    assert (signal.source, signal.source_id) == ("checkin", checkin.id)
    caseload = text(signed_in(family.clinician).get("/couples/"))
    assert f"/safety/couples/{family.couple.id}/checkins/{checkin.id}" in caseload


def test_a_chinese_reading_partner_gets_the_chinese_questions(family, portal_client):
    from clinic.portal.services import set_language

    set_language(family.a, "zh_Hans")
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    page = text(portal_client(family.a).get(f"/portal/checkin/{checkin.id}"))
    assert "你现在觉得安全吗" in page and "At home, do you feel safe" not in page


def test_offered_at_the_first_visit_when_the_practice_asks(family, portal_client):
    portal_client(family.a)
    assert checkins.waiting_for(family.a) is None
    services.set_sharing_policy(family.owner, "confirm", True)
    portal_client(family.b)
    assert checkins.waiting_for(family.b) is not None
    portal_client(family.b)  # a second visit offers no second one
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SafetyCheckin)) == 1


def test_the_practice_writes_its_own_questions_and_contacts(family, portal_client, signed_in):
    owner = signed_in(family.owner)
    response = owner.post("/safety/settings/checkin", data={
        "questions": "yesno | Do you feel safe at home? | 你在家觉得安全吗\n"
                     "text | Anything else? | 还有别的吗",
        "contacts": "Harbour Lane after-hours | 0800 123 456 | evenings\nNational helpline | 0800 000 111",
    })
    assert response.status_code == 302
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    assert [q["en"] for q in checkin.questions] == ["Do you feel safe at home?", "Anything else?"]
    a = portal_client(family.a)
    assert "0800 123 456" in text(a.get("/portal/"))  # the footer of every portal page
    assert "National helpline" in text(a.get(f"/portal/checkin/{checkin.id}"))
    [plan] = assign_exercises(family.clinician, family.couple.id, [AssignmentRequest("prevention-plan", "A")])
    assert text(a.get(f"/portal/exercises/{plan.id}")).count("Harbour Lane after-hours") == 2  # plan, footer
    bad = owner.post("/safety/settings/checkin", data={"questions": "maybe | only English", "contacts": ""})
    assert bad.status_code == 422 and "Line 1" in text(bad)
    with pytest.raises(NotFound):
        checkins.update_questions_and_contacts(family.clinician, "", "")


def test_outside_the_caseload_nothing_is_reachable(family, make_user, make_practice):
    checkin = checkins.offer_checkin(family.clinician, family.couple.id, family.a.id)
    checkins.submit_checkin(family.a, checkin.id, {"anything_else": CANARY})
    for stranger in (make_user(family.practice), make_user(make_practice())):
        with pytest.raises(NotFound):
            checkins.view_checkin(stranger, family.couple.id, checkin.id)
        with pytest.raises(NotFound):
            checkins.offer_checkin(stranger, family.couple.id, family.a.id)
    with pytest.raises(NotFound):
        checkins.get_partner_checkin(family.b, checkin.id)
