"""A clinician's post after their session ended (idle timeout, signed out in another tab) is kept
for them and offered again, in one press, right after they sign in."""

import html
import re
import time

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.auth.models import KeptPost
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


def _kept_form(client) -> tuple[str, dict[str, list[str]]]:
    """The kept page's form, as the browser would send it: its action and hidden fields."""
    kept = client.get("/auth/kept")
    assert kept.status_code == 200
    assert NOTE_TEXT in page(kept)
    action = re.search(r'<form method="post" action="([^"]+)">', page(kept)).group(1)
    fields: dict[str, list[str]] = {}
    for name, value in hidden_fields(kept):
        fields.setdefault(name, []).append(value)
    return action, fields


def _press(client, decision: str):
    action, fields = _kept_form(client)
    assert action == "/auth/kept"
    return client.post(action, data={**fields, "kept_post_decision": decision}), fields


def _sign_in_and_send_again(client, login, clinician):
    signed_in = login(clinician)
    assert signed_in.location == "/auth/kept"
    pressed, fields = _press(client, "send")
    # 307: the browser posts the same body again, to where it was going in the first place.
    assert pressed.status_code == 307 and pressed.location.startswith("/notes/couples/")
    return pressed, client.post(pressed.location, data={**fields, "kept_post_decision": "send"})


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
    assert actions() == ["post.kept", "post.kept_shown", "post.kept_sent"]
    assert client.get("/auth/kept").location == "/"  # settled: nothing waits any more


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


def _kept_after_idle_timeout(client, login, clinician, couple):
    login(clinician)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    client.post(f"/notes/couples/{couple.id}/new", data=note_form())
    assert login(clinician).location == "/auth/kept"


def kept_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(KeptPost))


def test_showing_a_kept_post_changes_nothing_but_the_audit_log(client, login, world):
    clinician, couple, _colleague = world
    _kept_after_idle_timeout(client, login, clinician, couple)

    first, second = client.get("/auth/kept"), client.get("/auth/kept")

    assert NOTE_TEXT in page(first) and NOTE_TEXT in page(second)
    assert "Send again" in page(first) and "Discard it" in page(first)
    assert kept_rows() == 1 and notes() == []
    assert actions() == ["post.kept", "post.kept_shown", "post.kept_shown"]


def test_a_kept_post_discarded_is_gone_and_nothing_saved(client, login, world):
    clinician, couple, _colleague = world
    _kept_after_idle_timeout(client, login, clinician, couple)

    pressed, _fields = _press(client, "discard")

    assert pressed.status_code == 302 and pressed.location == "/auth/kept"
    assert client.get("/auth/kept").location == "/"
    assert kept_rows() == 0 and notes() == []
    assert actions() == ["post.kept", "post.kept_shown", "post.kept_discarded"]


def test_a_kept_post_sent_from_two_tabs_is_saved_once(client, login, world):
    clinician, couple, _colleague = world
    _kept_after_idle_timeout(client, login, clinician, couple)
    action, fields = _kept_form(client)

    first = client.post(action, data={**fields, "kept_post_decision": "send"})
    second = client.post(action, data={**fields, "kept_post_decision": "send"})

    assert first.status_code == 307
    assert second.status_code == 302 and second.location == "/auth/kept"
    assert "already sent or discarded" in page(client.get("/auth/kept", follow_redirects=True))


def test_someone_else_cannot_send_or_discard_it(client, login, world):
    clinician, couple, colleague = world
    _kept_after_idle_timeout(client, login, clinician, couple)
    _action, fields = _kept_form(client)
    client.post("/auth/logout")
    login(colleague)

    response = client.post("/auth/kept", data={**fields, "kept_post_decision": "discard"})

    assert response.status_code == 302 and response.location == "/auth/kept"
    assert kept_rows() == 1
    assert "post.kept_discarded" not in actions()


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_sending_or_discarding_needs_the_pages_csrf_token(app, world):
    clinician, couple, _colleague = world
    browser = app.test_client()

    def token(response) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page(response)).group(1)

    def sign_in():
        return browser.post("/auth/login", data={
            "email": clinician.email, "password": "correct horse battery",
            "csrf_token": token(browser.get("/auth/login"))})

    sign_in()
    form_token = token(browser.get(f"/notes/couples/{couple.id}/new"))
    browser.post("/auth/logout", data={"csrf_token": form_token})
    browser.post(f"/notes/couples/{couple.id}/new", data={**note_form(), "csrf_token": form_token})
    assert sign_in().location == "/auth/kept"
    fields: dict[str, list[str]] = {}
    for name, value in hidden_fields(browser.get("/auth/kept")):
        fields.setdefault(name, []).append(value)

    forged = browser.post("/auth/kept", data={**{k: v for k, v in fields.items() if k != "csrf_token"},
                                               "kept_post_decision": "discard"})
    assert forged.status_code == 400 and kept_rows() == 1

    pressed = browser.post("/auth/kept", data={**fields, "kept_post_decision": "send"})
    assert pressed.status_code == 307
    sent = browser.post(pressed.location, data={**fields, "kept_post_decision": "send"})
    assert sent.status_code == 302 and notes() == [NOTE_TEXT]
    assert actions() == ["post.kept", "post.kept_shown", "post.kept_sent"]


@pytest.mark.config(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
def test_a_note_posted_with_an_expired_csrf_token_comes_back_to_send_again(app, world):
    clinician, couple, _colleague = world
    browser = app.test_client()

    def token(response) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page(response)).group(1)

    browser.post("/auth/login", data={"email": clinician.email, "password": "correct horse battery",
                                      "csrf_token": token(browser.get("/auth/login"))})
    editor_url = f"/notes/couples/{couple.id}/new"
    old_token = token(browser.get(editor_url))
    time.sleep(2.1)  # the page stays open past the token's lifetime; the session does not end

    late = browser.post(editor_url, data={**note_form(), "csrf_token": old_token},
                        headers={"Referer": f"http://localhost{editor_url}"})

    assert late.status_code == 400
    assert NOTE_TEXT in page(late) and "Send again" in page(late)
    assert notes() == []
    fields: dict[str, list[str]] = {}
    for name, value in hidden_fields(late):
        fields.setdefault(name, []).append(value)
    sent = browser.post(editor_url, data=fields)
    assert sent.status_code == 302 and notes() == [NOTE_TEXT]
