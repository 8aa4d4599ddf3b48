"""The input boundary (clinic/inputs.py, formkit.ClinicForm): control characters, out-of-range
numbers and far dates answered beside the field or with a 404, never a server error; what else
was typed comes back."""

import html
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.couples.models import Couple
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.notes.models import SessionNote
from clinic.records.models import ExceptionEntry, ExceptionTag

CONTROL = "control characters"
HUGE = "99999999999999999999"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def family(make_practice, make_user, make_couple):
    practice = make_practice()
    owner = make_user(practice, role="owner")
    clinician = make_user(practice)
    couple = make_couple(clinician, label="Chen & Wang", a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    return SimpleNamespace(owner=owner, clinician=clinician, couple=couple, a=a, b=b)


# --- control characters -------------------------------------------------------------------------


def test_a_nul_in_the_caseload_search_is_said_beside_it_and_the_rest_kept(family, signed_in):
    browser = signed_in(family.clinician)

    response = browser.get("/couples/?q=Ch%00en")

    assert response.status_code == 200
    assert CONTROL in page(response)
    assert 'value="Chen"' in page(response)


def test_a_nul_in_a_case_label_is_refused_beside_it_keeping_the_rest(family, signed_in):
    browser = signed_in(family.clinician)
    form = {
        "case_label": "Zhao\x00 & Zhou", "current_stage": "1", "partner_a-name": "Zhao\x07 Lei",
        "partner_a-email": "", "partner_b-name": "Zhou Ting",
    }

    response = browser.post("/couples/new", data=form)

    assert response.status_code in (200, 422)
    text = page(response)
    assert text.count(CONTROL) == 2
    assert 'value="Zhao &amp; Zhou"' in response.get_data(as_text=True)
    assert 'value="Zhao Lei"' in text and 'value="Zhou Ting"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Couple)) == 1


def test_a_nul_in_a_portal_answer_is_refused_and_everything_typed_comes_back(
    family, portal_client
):
    browser = portal_client(family.a)

    response = browser.post("/portal/add/exception", data={
        "a-date": "2025-03-14", "a-context": "We cooked\x00 together", "a-behaviour": "I laughed",
        "sharing": "private", "tag-place": "kitchen",
    })

    assert response.status_code == 422
    assert CONTROL in page(response)
    assert "We cooked together" in page(response) and "I laughed" in page(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExceptionEntry)) == 0


def test_a_nul_in_a_portal_key_is_taken_out_and_the_entry_stored(family, portal_client):
    browser = portal_client(family.a)

    response = browser.post("/portal/add/exception", data={
        "a-date": "2025-03-14", "a-context": "We cooked together", "sharing": "private",
        "tag-place": "kitchen", "idempotency_key": "key\x00one",
    })

    assert response.status_code == 302
    entry = db.session.scalars(sa.select(ExceptionEntry)).one()
    assert entry.idempotency_key == "keyone"
    assert db.session.scalars(sa.select(ExceptionTag.value)).all() == ["kitchen"]


def test_a_nul_in_a_portal_tag_is_said_beside_it_and_nothing_typed_is_lost(family, portal_client):
    browser = portal_client(family.a)

    response = browser.post("/portal/add/exception", data={
        "a-date": "2025-03-14", "a-context": "We cooked together", "sharing": "private",
        "tag-place": "kit\x00chen", "idempotency_key": "key-two",
    })

    assert response.status_code == 422
    assert 'id="tag-place-error"' in response.get_data(as_text=True) and CONTROL in page(response)
    assert 'value="kitchen"' in page(response) and "We cooked together" in page(response)
    assert db.session.scalars(sa.select(ExceptionEntry)).all() == []


# --- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/couples/{HUGE}", f"/couples/{HUGE}/edit", f"/notes/{HUGE}", f"/records/couples/{HUGE}/exceptions",
    f"/couples/1/partners/{HUGE}/link/mail", f"/portal/sent/{HUGE}",
])
def test_a_huge_id_in_a_route_is_not_found(family, signed_in, path):
    assert signed_in(family.owner).get(path).status_code in (404, 302)


@pytest.mark.parametrize("path", [
    "/couples/?page={n}", "/couples/?page=-{n}", "/audit/?page={n}", "/inbox/?page={n}",
    "/mail/?page={n}", "/records/couples/{c}/exceptions?page={n}&partner_id={n}",
    "/audit/?couple_id={n}", "/couples/?stage={n}", "/reports/?since=2026-01-01&until=2026-02-01"
    "&clinician_id={n}", "/records/couples/{c}/exception/new?partner={n}",
])
def test_huge_numbers_in_a_query_string_answer_a_page(family, signed_in, path):
    browser = signed_in(family.owner)

    response = browser.get(path.format(n=HUGE, c=family.couple.id))

    assert response.status_code == 200, path


def test_a_huge_select_value_or_number_is_a_field_message(family, signed_in):
    browser = signed_in(family.owner)

    audit = browser.get(f"/audit/?user_id={HUGE}")
    link = browser.post(
        f"/couples/{family.couple.id}/partners/{family.a.id}/link", data={"valid_days": HUGE}
    )

    assert audit.status_code == 200 and "Please enter a smaller number." in page(audit)
    assert link.status_code in (200, 302, 422)


def test_a_note_with_a_number_beyond_floats_is_a_field_message(family, signed_in):
    browser = signed_in(family.clinician)

    response = browser.post(f"/notes/couples/{family.couple.id}/new", data={
        "session_date": "2026-11-20", "duration_minutes": "1e309", "attendees": "both",
        "scale_A": "9" * 400, "scale_B": "inf",
    })

    assert response.status_code in (200, 422)
    assert "session_date" in response.get_data(as_text=True)


# --- far dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/audit/?since=0001-01-01&until=9999-12-31",
    "/reports/?since=2026-01-01&until=9999-12-31",
    "/reports/?since=0001-01-01&until=2026-01-01",
    "/records/couples/{c}/exceptions?since=0001-01-01&until=9999-12-31",
])
def test_a_far_date_in_a_filter_is_a_field_message(family, signed_in, path):
    browser = signed_in(family.owner)

    response = browser.get(path.format(c=family.couple.id))

    assert response.status_code == 200
    assert "Please enter a date between the years 1900 and 2199." in page(response)


def test_a_far_date_in_a_report_download_is_refused_with_a_flash(family, signed_in):
    response = signed_in(family.owner).get("/reports/report.csv?since=2026-01-01&until=9999-12-31")

    assert response.status_code == 302


def test_filters_still_work_within_the_bounds(family, signed_in):
    browser = signed_in(family.owner)

    response = browser.get("/audit/?since=1900-01-01&until=2199-12-31")

    assert response.status_code == 200 and "Please enter a date" not in page(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 0


def test_every_form_of_the_app_stands_on_the_boundary(app):
    from flask_wtf import FlaskForm

    from clinic.formkit import ClinicForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("clinic.")]
    assert len(ours) > 20
    assert [c.__qualname__ for c in ours if not issubclass(c, ClinicForm)] == []


# --- a NUL in each kind of field, on the clinician's note ------------------------------------------


NOTE = {"session_date": "2026-11-20", "duration_minutes": "50", "attendees": "both",
        "problem_name": "the Silence", "problem_effects": "It kept them apart at dinner."}


@pytest.mark.parametrize("field", [
    "problem_name",  # a text input
    "problem_effects",  # a text area
    "attendees",  # a select
    "duration_minutes",  # a number
    "session_date",  # a date
])
def test_a_nul_in_any_kind_of_note_field_is_said_beside_it_and_nothing_typed_is_lost(
    family, signed_in, field
):
    browser = signed_in(family.clinician)
    typed = dict(NOTE)
    typed[field] = typed[field][:2] + "\x00" + typed[field][2:]

    response = browser.post(f"/notes/couples/{family.couple.id}/new", data=typed)

    assert response.status_code in (200, 422)
    shown = page(response)
    assert CONTROL in shown
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    for name in ("problem_name", "problem_effects", "session_date"):
        assert NOTE[name] in shown, name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionNote)) == 0


def test_a_nul_in_a_reply_to_a_partner_is_refused_beside_it_keeping_the_rest(family, signed_in, assign):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    submission = save_answers(family.a, assignment.id, {"matters": "Our Sunday walks."}, submit=True,
                              shared=False)
    browser = signed_in(family.clinician)

    response = browser.post(f"/exercises/submissions/{submission.id}/reply",
                            data={"reply": "Thank you\x00 for writing this."})

    assert response.status_code in (200, 422)
    assert CONTROL in page(response) and "Thank you for writing this." in page(response)
