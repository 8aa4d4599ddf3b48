"""The progress services: the dyadic trend, the pattern counts, and the caseload's attention list."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clinic.couples.models import Couple
from clinic.couples.services import change_status
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.records import progress
from clinic.records.models import TAG_CATEGORIES, ExceptionEntry, ScalePlacement
from clinic.records.services import tag_entry
from clinic.timeutil import utcnow

D1, D2, D3, D4 = date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 15), date(2025, 3, 22)


def _age(couple, days: int) -> None:
    """Make the couple `days` old and move every portal record it has to that day too."""
    then = utcnow() - timedelta(days=days)
    db.session.execute(sa.update(Couple).where(Couple.id == couple.id).values(created_at=then))
    for model in (ExceptionEntry, ScalePlacement):
        db.session.execute(sa.update(model).where(model.couple_id == couple.id).values(created_at=then))
    db.session.commit()


# --- couple_progress ----------------------------------------------------------------------------


def test_progress_has_a_trend_per_partner(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D3, 6)
    place(a, D1, 3)  # entered later, earlier day
    place(b, D2, 5)

    result = progress.couple_progress(couple)

    trend_a, trend_b = result.partners
    assert (trend_a.partner_id, trend_a.name) == (a.id, "Chen Jing")
    assert trend_a.first == (D1, 3) and trend_a.latest == (D3, 6) and trend_a.change == 3
    assert trend_b.first == trend_b.latest == (D2, 5) and trend_b.change == 0
    assert result.gap == 1 and not result.diverged and not result.any_drop
    assert result.last_session is None


def test_a_partner_without_placements_has_no_trend_and_no_gap(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, _b = couple.partners
    place(a, D1, 2)

    result = progress.couple_progress(couple)

    assert result.partners[1].latest is None and result.partners[1].change is None
    assert result.gap is None and not result.diverged


def test_sessions_and_stage_changes_are_markers(app, make_user, make_couple, place, mark_session):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 8)
    mark_session(couple, D2)
    mark_session(couple, D3)
    place(a, D4, 5)
    place(b, D4, 7)

    result = progress.couple_progress(couple)

    sessions = [(m.day, m.label) for m in result.markers if m.kind == "session"]
    assert sessions == [(D2, "S1"), (D3, "S2")]
    assert [m.label for m in result.markers if m.kind == "stage"] == ["Stage 1"]
    assert result.last_session == D3
    assert result.partners[0].reference == 8 and result.partners[0].dropped_by == 3
    assert result.partners[0].dropped and result.any_drop
    assert not result.partners[1].dropped


def test_one_partners_progress_holds_only_their_own_placements(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 4)
    place(b, D1, 9, shared=True)

    result = progress.couple_progress(couple, partner=a, title="Mine")

    assert [t.partner_id for t in result.partners] == [a.id]
    assert result.chart.rows == [(D1, {"Chen Jing": 4})]
    assert result.chart.title == "Mine"
    assert result.markers == [] and not result.diverged


# --- patterns -----------------------------------------------------------------------------------


def _counts(result) -> dict[str, list[tuple[str, int]]]:
    return {p.category: p.values for p in result}


def test_patterns_count_entries_per_category_and_value(app, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk"), ("time", "evening")])
    log_exception(a, D2, tags=[("activity", "a walk"), ("time", "morning")])
    log_exception(b, D3, tags=[("activity", "cooking together"), ("time", "evening")])
    entry = log_exception(b, D4)
    tag_entry(clinician, couple.id, entry.id, "activity", "a walk")
    tag_entry(clinician, couple.id, entry.id, "place", "outdoors")
    other = make_couple(clinician)
    log_exception(other.partners[0], D1, tags=[("activity", "a walk")])  # another couple's

    result = progress.patterns(couple.id)

    assert [p.category for p in result] == list(TAG_CATEGORIES)
    assert [p.label for p in result] == list(TAG_CATEGORIES.values())
    assert _counts(result) == {
        "activity": [("a walk", 3), ("cooking together", 1)],
        "time": [("evening", 2), ("morning", 1)],
        "place": [("outdoors", 1)],
        "initiator": [],
    }


def test_patterns_for_some_partners_only(app, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk")])
    log_exception(b, D2, tags=[("activity", "shopping")])

    assert _counts(progress.patterns(couple.id, partner_ids=[b.id]))["activity"] == [("shopping", 1)]


def test_patterns_count_a_value_once_whatever_its_case(app, make_user, make_couple, log_exception):
    """A tag is the same condition in any case (adding "A walk" to an entry tagged "a walk" adds
    nothing), so the counts group it the same way."""
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk")])
    log_exception(a, D2, tags=[("activity", "a walk")])
    entry = log_exception(b, D3)
    tag_entry(clinician, couple.id, entry.id, "activity", "A Walk")

    assert _counts(progress.patterns(couple.id))["activity"] == [("a walk", 3)]


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
    return {a.case_label: a.reasons for a in progress.attention(user)}


def test_attention_lists_a_fall_since_the_session_and_a_silent_couple(app, caseload):
    clinician, *_ = caseload

    assert _reasons(clinician) == {
        "Fell since session": ["Chen Jing's scale fell 2 points since the last session"],
        "Silent couple": ["Nothing submitted for 15 days"],
    }


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
