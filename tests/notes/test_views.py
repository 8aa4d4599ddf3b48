"""Note pages over HTTP: the pre-filled editor, the language check, signing, addenda, PDF, CLI,
and who reaches them."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db
from clinic.notes import services
from clinic.notes.models import SessionNote
from clinic.notes.sections import SECTIONS

TODAY = datetime.now(UTC).date()


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _form(**sections) -> dict:
    data = {"session_date": TODAY.isoformat(), "duration_minutes": "50", "attendees": "both"}
    data.update({s.key: "" for s in SECTIONS})
    data.update(sections)
    return data


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- the pre-filled editor --------------------------------------------------------------------


def test_new_note_is_prefilled_with_what_happened_since_the_last_note(
    client, login, world, add_exception, add_scale, write_note,
):
    add_scale(world, world.a, TODAY - timedelta(days=30), 3)
    write_note(world, session_date=TODAY - timedelta(days=10), scale={"A": 4, "B": 5},
               next_steps="Cook together once before Sunday.")
    entry = add_exception(world, world.a, TODAY - timedelta(days=2), "我们一起做饭很开心。")
    add_scale(world, world.a, TODAY - timedelta(days=1), 6)
    login(world.clinician)

    response = client.get(f"/notes/couples/{world.couple.id}/new")

    assert response.status_code == 200
    text = page(response)
    assert "“我们一起做饭很开心。”" in text and "— 陈静," in text
    assert re.search(rf'name="keep" value="{entry.id}"[^>]*checked', response.get_data(as_text=True))
    assert "陈静: 6/10 (up 2 since the last note)." in text
    assert "Agreed last time: Cook together once before Sunday." in text
    assert "the Silence" in text  # the couple's own name for the problem carries over
    for section in SECTIONS:
        assert section.title in text
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 1  # nothing saved
    [event] = _events("note.editor_view")  # but the read of client material is audited
    assert (event.actor_user_id, event.couple_id) == (world.clinician.id, world.couple.id)


def test_check_language_marks_deficit_phrasing_in_the_rerendered_editor(client, login, world):
    login(world.clinician)

    response = client.post(
        f"/notes/couples/{world.couple.id}/new",
        data=_form(action="check", problem_effects="Since the move she is anxious <b>most days</b>.",
                   working="They laughed on Friday."),
    )

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<mark>she is anxious</mark>" in body
    assert "&lt;b&gt;most days&lt;/b&gt;" in body and "<b>most days</b>" not in body
    assert "Externalizing keeps the problem apart from the person" in page(response)
    assert "No suggestions for this section." in body  # the "working" section was checked too
    # Everything typed is still in the form, and nothing was saved.
    assert "Since the move she is anxious &lt;b&gt;most days&lt;/b&gt;." in body
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 0


def test_findings_never_block_saving(client, login, world):
    login(world.clinician)

    response = client.post(
        f"/notes/couples/{world.couple.id}/new",
        data=_form(action="save", problem_effects="He is resistant to the exercises."),
    )

    assert response.status_code == 302
    note = db.session.scalar(sa.select(SessionNote))
    assert note.sections["problem_effects"] == "He is resistant to the exercises."
    assert "The language check has 1 suggestion" in page(client.get(response.location))


def test_invalid_input_keeps_everything_typed_beside_the_fields(client, login, world, add_exception):
    entry = add_exception(world, world.b, TODAY, "We walked")
    login(world.clinician)

    response = client.post(
        f"/notes/couples/{world.couple.id}/new",
        data=_form(session_date="", duration_minutes="0", scale_A="12",
                   unique_outcomes="Walking worked twice.", keep=[str(entry.id)]),
    )

    assert response.status_code == 422
    text = page(response)
    assert "Give the day of the session." in text
    assert "Number must be between 1 and 600." in text
    assert "Walking worked twice." in text
    assert re.search(rf'name="keep" value="{entry.id}"[^>]*checked', response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 0


def test_a_domain_error_is_shown_beside_its_field(client, login, world):
    login(world.clinician)
    future = (TODAY + timedelta(days=9)).isoformat()

    response = client.post(f"/notes/couples/{world.couple.id}/new",
                           data=_form(session_date=future, working="Walks"))

    assert response.status_code == 422
    assert re.search(r'id="session_date-error">A note records a session that has happened',
                     response.get_data(as_text=True))


def test_editor_pages_have_no_inline_script_or_style(client, login, world, write_note):
    login(world.clinician)
    note = write_note(world)
    for url in (f"/notes/couples/{world.couple.id}/new", f"/notes/{note.id}/edit", f"/notes/{note.id}"):
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert " style=" not in body and "<style" not in body, url
        assert " on" + "input=" not in body and " onclick=" not in body
    assert '<script src="/static/js/notes.js" defer>' in client.get(f"/notes/{note.id}/edit").get_data(
        as_text=True)


# --- drafts, signing, edit after sign ---------------------------------------------------------


def test_edit_a_draft_then_sign_it(client, login, world, write_note):
    note = write_note(world)
    login(world.clinician)

    edit = client.get(f"/notes/{note.id}/edit")
    assert edit.status_code == 200 and "Walking while talking." in page(edit)
    saved = client.post(f"/notes/{note.id}/edit", data=_form(action="save", working="Sunday walks"))
    assert saved.status_code == 302

    detail = client.get(f"/notes/{note.id}")
    version = re.search(r'name="version" type="hidden" value="([0-9a-f]{64})"',
                        detail.get_data(as_text=True)).group(1)
    signed = client.post(f"/notes/{note.id}/sign", data={"version": version})

    assert signed.status_code == 302
    text = page(client.get(signed.location))
    assert "Signed. The note is locked" in text
    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert note.status == "signed" and note.sections["working"] == "Sunday walks"
    assert note.content_hash in text and "Verified: the stored note matches" in text


def test_signing_a_draft_that_changed_since_it_was_shown_is_refused(client, login, world, write_note):
    note = write_note(world)
    login(world.clinician)
    version = services.draft_version(note)
    services.update_note(world.owner, note.id, services.NoteInput(
        session_date=TODAY, sections={"working": "The owner's change"}))

    response = client.post(f"/notes/{note.id}/sign", data={"version": version}, follow_redirects=True)

    assert "The draft changed since you opened it" in page(response)
    assert db.session.get(SessionNote, note.id).status == "draft"


def test_the_second_signature_gets_a_clear_message(client, login, world, write_note):
    note = write_note(world)
    services.sign_note(world.owner, note.id)
    login(world.clinician)

    response = client.post(f"/notes/{note.id}/sign", data={}, follow_redirects=True)

    assert "This note was signed by Olive Owner" in page(response)


def test_editing_a_signed_note_is_refused_by_the_view(client, login, world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    hash_before = note.content_hash
    login(world.clinician)

    shown = client.get(f"/notes/{note.id}/edit")
    assert shown.status_code == 302 and shown.location.endswith(f"/notes/{note.id}#addenda")
    posted = client.post(f"/notes/{note.id}/edit", data=_form(action="save", working="Rewritten"))

    assert posted.status_code == 409
    text = page(posted)
    assert "can no longer change. Add an addendum" in text
    assert "Rewritten" in text  # kept, so it can go into an addendum
    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert note.sections["working"] == "Walking while talking." and note.content_hash == hash_before


def test_addenda_are_added_signed_and_listed(client, login, world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    login(world.clinician)

    empty = client.post(f"/notes/{note.id}/addenda", data={"text": "  "})
    assert empty.status_code == 422 and "Write the addendum first." in page(empty)

    added = client.post(f"/notes/{note.id}/addenda", data={"text": "Correction: Friday, not Thursday."})
    assert added.status_code == 302
    text = page(client.get(f"/notes/{note.id}"))
    assert "Correction: Friday, not Thursday." in text
    [addendum] = db.session.get(SessionNote, note.id).addenda
    assert addendum.content_hash in text and "verified" in text


# --- PDF, export, language endpoint -------------------------------------------------------------


def test_pdf_download_is_an_audited_no_store_attachment_for_signed_notes_only(
    client, login, world, write_note,
):
    draft = write_note(world)
    signed = services.sign_note(world.clinician, write_note(world).id)
    login(world.clinician)

    refused = client.get(f"/notes/{draft.id}/pdf", follow_redirects=True)
    assert "Only a signed note can be exported" in page(refused)

    response = client.get(f"/notes/{signed.id}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="session-note-{signed.id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    [event] = _events("note.export")
    assert (event.object_id, event.actor_user_id, event.detail["channel"]) == (
        signed.id, world.clinician.id, "web",
    )


def test_export_note_command_writes_an_audited_pdf(runner, world, write_note, tmp_path):
    note = services.sign_note(world.clinician, write_note(world).id)
    out = tmp_path / "note.pdf"

    result = runner.invoke(args=["export-note", str(note.id), "--out", str(out), "--as", "ruth@example.org"])

    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and (out.stat().st_mode & 0o077) == 0
    [event] = _events("note.export")
    assert (event.actor_user_id, event.detail["channel"], event.ip) == (world.clinician.id, "cli", "cli")


@pytest.mark.parametrize(("args", "message"), [
    (["--as", "ruth@example.org"], "Only a signed note can be exported"),
    ([], "Name the exporting user with --as EMAIL"),
    (["--as", "nobody@example.org"], "No note"),
])
def test_export_note_command_explains_refusals(runner, world, write_note, tmp_path, args, message):
    note = write_note(world)
    out = tmp_path / "note.pdf"

    result = runner.invoke(args=["export-note", str(note.id), "--out", str(out), *args])

    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_export_note_command_refuses_a_clinician_outside_the_couple(runner, world, write_note, tmp_path):
    note = services.sign_note(world.clinician, write_note(world).id)

    result = runner.invoke(args=["export-note", str(note.id), "--out", str(tmp_path / "x.pdf"),
                                 "--as", world.colleague.email])

    assert result.exit_code != 0 and f"No note {note.id}" in result.output
    assert _events("note.export") == []


def test_language_endpoint_returns_findings_and_marked_pieces(client, login, world):
    login(world.clinician)

    response = client.post("/notes/language", json={"text": "She said: the couple is dysfunctional.",
                                                     "section": "problem_effects"})

    assert response.status_code == 200
    data = response.get_json()
    [finding] = data["findings"]
    assert finding["phrase"] == "the couple is dysfunctional" and finding["suggestions"]
    assert "".join(p["text"] for p in data["segments"]) == "She said: the couple is dysfunctional."
    assert [p["finding"] for p in data["segments"]] == [None, 0, None]
    assert response.headers["Cache-Control"] == "no-store"


def test_language_endpoint_refuses_what_is_not_a_text(client, login, world):
    login(world.clinician)

    assert client.post("/notes/language", data={"text": "x"}).status_code == 400
    assert client.post("/notes/language", json={"text": "x" * 20_001}).status_code == 413


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_language_endpoint_needs_the_csrf_header(client, world):
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"email": world.clinician.email,
                                     "password": "correct horse battery", "csrf_token": token})
    editor = client.get(f"/notes/couples/{world.couple.id}/new").get_data(as_text=True)
    editor_token = re.search(r'<meta name="csrf-token" content="([^"]+)">', editor).group(1)

    assert client.post("/notes/language", json={"text": "he is lazy"}).status_code == 400
    ok = client.post("/notes/language", json={"text": "he is lazy"}, headers={"X-CSRFToken": editor_token})
    assert ok.status_code == 200 and ok.get_json()["findings"]


# --- who reaches the notes ----------------------------------------------------------------------


def _routes(note_id: int, couple_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/notes/couples/{couple_id}/new"),
        ("POST", f"/notes/couples/{couple_id}/new"),
        ("GET", f"/notes/{note_id}"),
        ("GET", f"/notes/{note_id}/edit"),
        ("POST", f"/notes/{note_id}/edit"),
        ("POST", f"/notes/{note_id}/sign"),
        ("POST", f"/notes/{note_id}/addenda"),
        ("GET", f"/notes/{note_id}/pdf"),
    ]


@pytest.mark.parametrize("who", ["supervisor", "outsider", "outside_owner", "colleague"])
def test_every_notes_route_is_not_found_outside_the_caseload(client, login, world, write_note, who):
    draft = write_note(world)
    signed = services.sign_note(world.clinician, write_note(world).id)
    login(getattr(world, who))

    for note in (draft, signed):
        for method, url in _routes(note.id, world.couple.id):
            response = client.open(url, method=method, data=_form(action="save", working="x"))
            assert response.status_code == 404, (method, url)
            assert "陈静" not in page(response) and "Chen &amp; Lee" not in response.get_data(as_text=True)
    language = client.post("/notes/language", json={"text": "she is anxious"})
    assert language.status_code == (404 if who == "supervisor" else 200)
    db.session.expire_all()
    assert db.session.get(SessionNote, draft.id).status == "draft"
    assert _events("note.export") == [] and _events("note.view") == []


def test_signed_out_visitors_are_sent_to_sign_in(client, world, write_note):
    note = write_note(world)
    for method, url in [*_routes(note.id, world.couple.id), ("POST", "/notes/language")]:
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.location.startswith("/auth/login"), url


def test_the_owner_reaches_the_notes_of_the_practice(client, login, world, write_note):
    note = write_note(world)
    login(world.owner)

    assert client.get(f"/notes/{note.id}").status_code == 200
    assert client.get(f"/notes/couples/{world.couple.id}/new").status_code == 200
    assert [e.actor_user_id for e in _events("note.view")] == [world.owner.id]


def test_couple_notes_partial_lists_notes_newest_first(app, world, write_note):
    from flask import render_template

    older = write_note(world, session_date=TODAY - timedelta(days=14))
    newer = services.sign_note(world.clinician, write_note(world, session_date=TODAY).id)

    with app.test_request_context():
        html_text = render_template(
            "notes/_couple_notes.html", couple=world.couple,
            notes=services.notes_for_couple(world.couple),
        )

    assert html_text.index(f"/notes/{newer.id}") < html_text.index(f"/notes/{older.id}")
    assert f'/notes/couples/{world.couple.id}/new' in html_text and "Signed" in html_text


def test_language_check_answers_a_chinese_sentence_in_chinese(client, login, world):
    login(world.clinician)

    response = client.post("/notes/language", json={"text": "赵磊很自恋。她 felt anxious before the call.",
                                                     "section": "problem_effects"})

    [finding] = response.get_json()["findings"]
    assert finding["phrase"] == "赵磊很自恋" and finding["lang"] == "zh"
    assert all("赵磊" in s for s in finding["suggestions"])
    page = client.post(f"/notes/couples/{world.couple.id}/new",
                       data=_form(action="check", problem_effects="赵磊很自恋。"))
    assert '<span lang="zh-Hans">描述赵磊做了什么' in page.get_data(as_text=True)
