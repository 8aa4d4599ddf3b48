"""Each cited private exception entry can be quoted (the partner's words, marked private to them)
or paraphrased (the clinician's words, still marked as from that partner's private log); the
note's page, its PDF and its signed snapshot follow the choice, and a joint release carries
neither a private quote nor a paraphrase of one."""

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.notes import services
from clinic.notes.models import SessionNote
from clinic.notes.sections import SECTIONS
from clinic.records.models import ExceptionEntry
from tests.pdf_helpers import pdf_text

TODAY = datetime.now(UTC).date()
PRIVATE = "When he slammed the door I went to my sister's and did not say why"
SHARED = "We laughed at dinner, no phones"
OWN = "Jing found a safe place to steady herself and came back ready to talk"
FROM_LOG = "Paraphrased by the clinician from 陈静\u2019s private exception log: not shared with Mark Lee"


@pytest.fixture
def entries(world, add_exception):
    private = add_exception(world, world.a, TODAY - timedelta(days=3), PRIVATE, meaning="I can leave")
    shared = add_exception(world, world.b, TODAY - timedelta(days=2), SHARED)
    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == shared.id)
                       .values(shared_with_partner=True))
    db.session.commit()
    return private, shared


def _page(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


def _form(entries, **more) -> dict:
    data = {"session_date": TODAY.isoformat(), "duration_minutes": "50", "attendees": "both",
            "action": "save", "keep": [str(e.id) for e in entries]}
    data.update({s.key: "" for s in SECTIONS})
    data["working"] = "Walking while talking."
    data.update(more)
    return data


def test_the_editor_offers_the_choice_beside_each_private_entry_only(client, login, world, entries):
    private, shared = entries
    login(world.clinician)

    body = client.get(f"/notes/couples/{world.couple.id}/new").get_data(as_text=True)

    assert re.search(rf'name="cite-{private.id}" value="quote"[^>]*checked', body)
    assert f'name="cite-{private.id}" value="paraphrase"' in body
    assert f'name="paraphrase-{private.id}"' in body
    assert f'name="cite-{shared.id}"' not in body and f'name="paraphrase-{shared.id}"' not in body


def test_a_paraphrase_replaces_the_private_words_on_the_page_in_the_pdf_and_in_the_snapshot(
    client, login, world, entries,
):
    private, _shared = entries
    login(world.clinician)

    saved = client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, **{f"cite-{private.id}": "paraphrase", f"paraphrase-{private.id}": OWN}))
    assert saved.status_code == 302
    note = db.session.scalars(sa.select(SessionNote)).one()
    draft = _page(client.get(f"/notes/{note.id}"))
    assert OWN in draft and FROM_LOG in draft and PRIVATE not in draft and SHARED in draft

    services.sign_note(world.clinician, note.id)
    signed = _page(client.get(f"/notes/{note.id}"))
    record = " ".join(pdf_text(services.note_pdf(world.clinician, note.id)).split())
    joint = " ".join(pdf_text(services.note_pdf(world.clinician, note.id, joint=True)).split())
    kept = services.frozen(db.session.get(SessionNote, note.id, populate_existing=True))

    assert OWN in signed and FROM_LOG in signed and "slammed" not in signed
    assert OWN in record and FROM_LOG in record and "slammed" not in record and "I can leave" not in record
    assert SHARED in record
    [frozen_private] = [e for e in kept["entries"] if e["id"] == private.id]
    assert frozen_private["paraphrase"] == OWN and frozen_private["context"] is None
    # The couple's version: neither the partner's private words nor the clinician's paraphrase.
    assert OWN not in joint and "slammed" not in joint and SHARED in joint
    assert "1 entry private to 陈静 is left out of this joint release." in joint
    assert services.verify_note(db.session.get(SessionNote, note.id))


def test_quoting_stays_the_default_and_keeps_the_private_mark(client, login, world, entries):
    private, _shared = entries
    login(world.clinician)

    client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, **{f"cite-{private.id}": "quote", f"paraphrase-{private.id}": "not used"}))
    note = services.sign_note(world.clinician, db.session.scalars(sa.select(SessionNote.id)).one())

    record = " ".join(pdf_text(services.note_pdf(world.clinician, note.id)).split())
    assert PRIVATE in record and "Private to 陈静: not shared with Mark Lee" in record
    assert "not used" not in record
    assert db.session.get(SessionNote, note.id).paraphrases is None


def test_choosing_to_paraphrase_without_words_is_refused_beside_the_entry_and_keeps_what_was_typed(
    client, login, world, entries,
):
    private, _shared = entries
    login(world.clinician)

    response = client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, difficulties="Money worries still press.",
        **{f"cite-{private.id}": "paraphrase", f"paraphrase-{private.id}": "   "}))

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(rf'id="paraphrase-{private.id}-error">Write the paraphrase in your own words', body)
    assert re.search(rf'name="cite-{private.id}" value="paraphrase"[^>]*checked', body)
    assert "Money worries still press." in body
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 0


def test_editing_a_draft_shows_its_paraphrase_and_can_return_to_quoting(client, login, world, entries):
    private, _shared = entries
    login(world.clinician)
    client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, **{f"cite-{private.id}": "paraphrase", f"paraphrase-{private.id}": OWN}))
    note_id = db.session.scalars(sa.select(SessionNote.id)).one()

    editor = client.get(f"/notes/{note_id}/edit").get_data(as_text=True)
    assert re.search(rf'name="cite-{private.id}" value="paraphrase"[^>]*checked', editor)
    assert OWN in html.unescape(editor)

    client.post(f"/notes/{note_id}/edit", data=_form(entries, **{f"cite-{private.id}": "quote"}))
    assert PRIVATE in _page(client.get(f"/notes/{note_id}"))
    assert db.session.get(SessionNote, note_id, populate_existing=True).paraphrases is None


def test_a_shared_entry_is_always_quoted(world, entries, write_note):
    _private, shared = entries
    note = write_note(world, cited=[shared.id])
    services.update_note(world.clinician, note.id, services.NoteInput(
        session_date=TODAY, sections={"working": "x"}, cited_exception_ids=[shared.id],
        paraphrases={shared.id: "my words"}))

    assert db.session.get(SessionNote, note.id, populate_existing=True).paraphrases is None


def test_a_paraphrase_changed_after_signing_breaks_the_seal(world, entries, write_note):
    private, _shared = entries
    note = write_note(world, cited=[private.id])
    services.update_note(world.clinician, note.id, services.NoteInput(
        session_date=TODAY, sections={"working": "x"}, cited_exception_ids=[private.id],
        paraphrases={private.id: OWN}))
    services.sign_note(world.clinician, note.id)
    assert services.verify_note(db.session.get(SessionNote, note.id))

    db.session.execute(sa.text("UPDATE session_note SET paraphrases = :p WHERE id = :id"),
                       {"p": json.dumps({str(private.id): "Something else entirely"}), "id": note.id})
    db.session.commit()

    assert not services.verify_note(db.session.get(SessionNote, note.id, populate_existing=True))


@pytest.mark.parametrize("choice", ["paraphrase", "quote", None])
def test_a_paraphrase_with_control_characters_is_refused_beside_it_chosen_or_not(
    client, login, world, entries, choice,
):
    private, _shared = entries
    login(world.clinician)
    posted = {f"paraphrase-{private.id}": "In my own\x1f words"}
    if choice:
        posted[f"cite-{private.id}"] = choice

    response = client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, difficulties="Money worries still press.", **posted))

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(rf'id="paraphrase-{private.id}-error">This had invisible control characters', body)
    assert "In my own words" in body and "Money worries still press." in body
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 0


def test_editing_with_control_characters_in_a_paraphrase_keeps_the_draft_as_it_was(
    client, login, world, entries,
):
    private, _shared = entries
    login(world.clinician)
    client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, **{f"cite-{private.id}": "paraphrase", f"paraphrase-{private.id}": OWN}))
    note_id = db.session.scalars(sa.select(SessionNote.id)).one()

    response = client.post(f"/notes/{note_id}/edit", data=_form(
        entries, **{f"cite-{private.id}": "paraphrase", f"paraphrase-{private.id}": "New\x00 words"}))

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(rf'id="paraphrase-{private.id}-error">This had invisible control characters', body)
    assert "New words" in body
    assert db.session.get(SessionNote, note_id, populate_existing=True).paraphrases == {str(private.id): OWN}


def test_a_paraphrase_field_the_page_does_not_offer_does_not_block_the_save(
    client, login, world, entries,
):
    _private, shared = entries
    login(world.clinician)

    response = client.post(f"/notes/couples/{world.couple.id}/new", data=_form(
        entries, **{f"paraphrase-{shared.id}": "stray\x1f", "paraphrase-999999": "stray\x1f"}))

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 1
