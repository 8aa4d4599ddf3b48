"""A clinician's post after their session ended (idle timeout, signed out in another tab) is kept
for them and offered again, in one press, right after they sign in."""

import html
import re

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db
from clinic.notes.models import SessionNote
from clinic.notes.sections import SECTIONS
from clinic.timeutil import utcnow

NOTE_TEXT = "The Silence lost ground twice this week: the Sunday walk, the shared dinner."


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def note_form() -> dict:
    data = {"session_date": utcnow().date().isoformat(), "duration_minutes": "50", "attendees": "both"}
    data.update({s.key: "" for s in SECTIONS})
    data["problem_name"] = "the Silence"
    data["problem_effects"] = NOTE_TEXT
    return data


def hidden_fields(response) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page(response))


def notes() -> list[str]:
    db.session.expire_all()
    return [n.sections.get("problem_effects") for n in db.session.scalars(sa.select(SessionNote))]


def actions() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("post.kept%")).order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def world(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    return clinician, make_couple(clinician), make_user(practice)


def _sign_in_and_send_again(client, login, clinician):
    signed_in = login(clinician)
    assert signed_in.location == "/auth/kept"
    kept = client.get("/auth/kept")
    assert kept.status_code == 200
    assert NOTE_TEXT in page(kept)
    action = re.search(r'<form method="post" action="([^"]+)">', page(kept)).group(1)
    fields: dict[str, list[str]] = {}
    for name, value in hidden_fields(kept):
        fields.setdefault(name, []).append(value)
    return kept, client.post(action, data=fields)


def test_a_note_posted_after_the_idle_timeout_is_sent_after_signing_in(client, login, world):
    clinician, couple, _colleague = world
    login(clinician)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60

    late = client.post(f"/notes/couples/{couple.id}/new", data=note_form())

    assert late.status_code == 302 and late.location == "/auth/login"
    assert "What you were sending is kept" in page(client.get("/auth/login"))
    assert notes() == []
    _kept, sent = _sign_in_and_send_again(client, login, clinician)
    assert sent.status_code == 302 and "/notes/" in sent.location
    assert notes() == [NOTE_TEXT]
    assert actions() == ["post.kept", "post.kept_shown"]
    assert client.get("/auth/kept").location == "/"  # shown once


def test_a_note_posted_after_signing_out_in_another_tab_is_kept(client, login, world):
    clinician, couple, _colleague = world
    login(clinician)
    client.post("/auth/logout")  # the other tab; this browser's session is gone

    late = client.post(f"/notes/couples/{couple.id}/new", data=note_form())

    assert late.status_code == 302 and late.location == "/auth/login"
    _kept, sent = _sign_in_and_send_again(client, login, clinician)
    assert sent.status_code == 302
    assert notes() == [NOTE_TEXT]


def test_someone_else_signing_in_on_that_browser_does_not_see_it(client, login, world):
    clinician, couple, colleague = world
    login(clinician)
    client.post("/auth/logout")
    client.post(f"/notes/couples/{couple.id}/new", data=note_form())

    assert login(colleague).location == "/"
    assert client.get("/auth/kept").location == "/"


def test_a_post_from_a_browser_never_signed_in_shows_the_text_to_copy(client, world):
    _clinician, couple, _colleague = world

    response = client.post(f"/notes/couples/{couple.id}/new", data=note_form())

    assert response.status_code == 401
    assert NOTE_TEXT in page(response) and "copy it, sign in" in page(response)
    assert actions() == []


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_a_post_after_signing_out_elsewhere_is_kept_too(app, world):
    clinician, couple, _colleague = world
    browser = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page(browser.get("/auth/login"))).group(1)
    browser.post("/auth/login", data={"email": clinician.email, "password": "correct horse battery",
                                      "csrf_token": token})
    editor = browser.get(f"/notes/couples/{couple.id}/new")
    form_token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page(editor)).group(1)
    browser.post("/auth/logout", data={"csrf_token": form_token})

    late = browser.post(f"/notes/couples/{couple.id}/new", data={**note_form(), "csrf_token": form_token})

    assert late.status_code == 302 and late.location == "/auth/login"
    assert actions() == ["post.kept"]
