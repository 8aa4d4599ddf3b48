"""The caseload's attention list: a fall on the scale since the last session, or a long silence."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clinic.caseload.services import attention
from clinic.couples.models import Couple
from clinic.couples.services import change_status
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.records.models import ExceptionEntry, ScalePlacement
from clinic.timeutil import utcnow

D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 15)


def _age(couple, days: int) -> None:
    """Make the couple `days` old and move every portal record it has to that day too."""
    then = utcnow() - timedelta(days=days)
    db.session.execute(sa.update(Couple).where(Couple.id == couple.id).values(created_at=then))
    for model in (ExceptionEntry, ScalePlacement):
        db.session.execute(sa.update(model).where(model.couple_id == couple.id).values(created_at=then))
    db.session.commit()


# --- attention ----------------------------------------------------------------------------------


@pytest.fixture
def caseload(make_user, make_couple, place, log_exception, mark_session):
    """A clinician's caseload: one couple that fell since the session, one silent for 15 days,
    one that is fine."""
    clinician = make_user()
    fell = make_couple(clinician, label="Fell since session", a="Chen Jing")
    a, b = fell.partners
    place(a, D1, 8)
    place(b, D1, 6)
    mark_session(fell, D2)
    place(a, D3, 6)
    place(b, D3, 6)

    silent = make_couple(clinician, label="Silent couple")
    log_exception(silent.partners[0], D1)
    _age(silent, 15)

    fine = make_couple(clinician, label="Doing fine")
    fa, fb = fine.partners
    place(fa, D1, 5)
    mark_session(fine, D2)
    place(fa, D3, 6)
    place(fb, D3, 4)
    log_exception(fb, D3)
    return clinician, fell, silent, fine


def _reasons(user) -> dict[str, list[str]]:
    return {a.case_label: a.reasons for a in attention(user)}


def test_attention_lists_a_fall_since_the_session_and_a_silent_couple(app, caseload):
    clinician, *_ = caseload

    assert _reasons(clinician) == {
        "Fell since session": ["Chen Jing's scale fell 2 points since the last session"],
        "Silent couple": ["Nothing submitted for 15 days"],
    }


def test_each_couple_is_measured_from_its_own_last_session(app, caseload, make_couple, place,
                                                          mark_session):
    """A later session of another couple changes nothing: Chen Jing fell since her own."""
    clinician, *_ = caseload
    later = make_couple(clinician, label="Seen later")
    place(later.partners[0], D3, 5)
    mark_session(later, D3 + timedelta(days=7))

    assert _reasons(clinician)["Fell since session"] == [
        "Chen Jing's scale fell 2 points since the last session"
    ]


@pytest.mark.parametrize("status", ["paused", "closed"])
def test_paused_and_closed_couples_are_never_listed(app, caseload, status):
    clinician, fell, silent, _fine = caseload

    change_status(clinician, fell.id, status)
    change_status(clinician, silent.id, status)

    assert _reasons(clinician) == {}


def test_a_couple_never_active_in_the_portal_is_silent_from_its_start(app, make_user, make_couple):
    clinician = make_user()
    new = make_couple(clinician, label="New")
    old = make_couple(clinician, label="Old")
    _age(new, 13)
    _age(old, 14)

    assert _reasons(clinician) == {"Old": ["Nothing submitted for 14 days"]}


def test_a_submitted_exercise_is_activity(app, make_user, make_couple, assign):
    clinician = make_user()
    couple = make_couple(clinician, label="Writes exercises")
    _age(couple, 30)
    assignment = assign(clinician, couple, "relationship-narrative", target="A")[0]
    a = couple.partners[0]
    answers = {"matters": "Being heard", "struggles": "Evenings", "longings": "Ease"}
    save_answers(a, assignment.id, answers, submit=True, shared=False)

    assert _reasons(clinician) == {}


def test_without_a_session_a_fall_is_since_last_time(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician, label="No session yet", b="Wang Hao")
    place(couple.partners[1], D1, 9)
    place(couple.partners[1], D2, 4)

    assert _reasons(clinician) == {"No session yet": ["Wang Hao's scale fell 5 points since last time"]}


@pytest.mark.config(SCALE_DROP_THRESHOLD=3, ATTENTION_INACTIVE_DAYS=16)
def test_attention_reads_its_thresholds_from_config(app, caseload):
    clinician, *_ = caseload
    assert _reasons(clinician) == {}


@pytest.mark.config(ATTENTION_INACTIVE_DAYS=3)
def test_a_shorter_inactivity_window_lists_more_couples(app, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician, label="Four days quiet")
    log_exception(couple.partners[0], D1)
    _age(couple, 4)
    assert _reasons(clinician) == {"Four days quiet": ["Nothing submitted for 4 days"]}


def test_the_list_covers_the_users_caseload_only(app, caseload, make_user, make_couple):
    clinician, *_ = caseload
    colleague = make_user(practice=clinician.practice)
    theirs = make_couple(colleague, label="Colleague's silent couple")
    _age(theirs, 20)
    owner = make_user(practice=clinician.practice, role="owner")
    elsewhere = make_couple(make_user(), label="Another practice")
    _age(elsewhere, 20)

    assert "Colleague's silent couple" not in _reasons(clinician)
    assert _reasons(colleague) == {"Colleague's silent couple": ["Nothing submitted for 20 days"]}
    assert set(_reasons(owner)) == {"Fell since session", "Silent couple", "Colleague's silent couple"}


# --- the caseload page --------------------------------------------------------------------------


def _attention_section(response) -> str:
    text = html.unescape(response.get_data(as_text=True))
    found = re.search(r'<section class="card attention".*?</section>', text, re.S)
    return found.group(0) if found else ""


def test_the_caseload_page_shows_the_attention_list(client, login, caseload):
    clinician, fell, silent, _fine = caseload
    login(clinician)

    section = _attention_section(client.get("/couples/"))

    assert "Needs attention" in section
    links = re.findall(r'<li><a href="/couples/(\d+)">([^<]+)</a> — ([^<]+)</li>', section)
    assert sorted(links) == sorted([
        (str(fell.id), "Fell since session", "Chen Jing's scale fell 2 points since the last session"),
        (str(silent.id), "Silent couple", "Nothing submitted for 15 days"),
    ])
    assert "Doing fine" not in section


def test_the_caseload_page_has_no_attention_list_when_all_is_well(client, login, make_user, make_couple):
    clinician = make_user()
    make_couple(clinician, label="Just started")
    login(clinician)

    response = client.get("/couples/")

    assert response.status_code == 200 and _attention_section(response) == ""


@pytest.mark.parametrize("status", ["paused", "closed"])
def test_the_caseload_page_never_lists_paused_or_closed_couples(client, login, caseload, status):
    clinician, fell, _silent, _fine = caseload
    change_status(clinician, fell.id, status)
    login(clinician)

    section = _attention_section(client.get("/couples/"))

    assert "Silent couple" in section and "Fell since session" not in section


def test_the_attention_list_comes_a_page_at_a_time_in_caseload_order(app, client, login, make_user,
                                                                    make_couple, log_exception):
    """An owner of a large practice reads the list a page at a time, newest activity first,
    with whose caseload each couple is on; nothing is listed twice or left out."""
    app.config["ATTENTION_PAGE_SIZE"] = 2
    owner = make_user(role="owner")
    clinician = make_user(owner.practice, name="Dr Lin")
    silent = []
    for n in range(5):
        couple = make_couple(clinician, label=f"Silent {n}")
        log_exception(couple.partners[0], D1)
        _age(couple, 20 + n)
        silent.append(couple)
    make_couple(clinician, label="Just started")
    db.session.execute(sa.update(Couple).values(last_activity_at=Couple.created_at))
    db.session.commit()

    pages = [attention(owner, page=n) for n in (1, 2, 3)]

    assert [[a.case_label for a in p] for p in pages] == [
        ["Silent 0", "Silent 1"], ["Silent 2", "Silent 3"], ["Silent 4"]]
    assert [p.has_next for p in pages] == [True, True, False]
    login(owner)
    section = _attention_section(client.get("/couples/?attention=2"))
    assert "Silent 2" in section and "Silent 1" not in section and "Dr Lin" in section
    assert 'href="/couples/?attention=3"' in section and 'href="/couples/?attention=1"' in section
