"""A partner's private words quoted in a note say whose they are and whom they are kept from, in
the editor, on the note's page and in its PDF; the version released to the couple together leaves
them out, and a note of an individual session is never released jointly."""

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.notes import services
from clinic.records.models import ExceptionEntry
from tests.pdf_helpers import pdf_text

TODAY = datetime.now(UTC).date()
PRIVATE = "When he slammed the door I went to my sister's and did not say why"
SHARED = "We laughed at dinner, no phones"
MARK = "Private to 陈静: not shared with Mark Lee"


@pytest.fixture
def entries(world, add_exception):
    private = add_exception(world, world.a, TODAY - timedelta(days=3), PRIVATE)
    shared = add_exception(world, world.b, TODAY - timedelta(days=2), SHARED)
    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == shared.id)
                       .values(shared_with_partner=True))
    db.session.commit()
    return private, shared


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_editor_marks_a_private_entry_before_it_is_cited(client, login, world, entries):
    login(world.clinician)

    page = html.unescape(client.get(f"/notes/couples/{world.couple.id}/new").get_data(as_text=True))

    assert page.count(MARK) == 1  # beside the private entry only
    assert "Private to Mark Lee" not in page


def test_the_note_page_and_pdf_mark_private_words_and_name_who_they_are_kept_from(
    client, login, world, entries, write_note,
):
    note = services.sign_note(world.clinician, write_note(world, cited=[e.id for e in entries]).id)
    login(world.clinician)

    page = html.unescape(client.get(f"/notes/{note.id}").get_data(as_text=True))
    text = _flat(pdf_text(services.note_pdf(world.clinician, note.id)))

    assert page.count(MARK) == 1 and PRIVATE in page
    assert PRIVATE in text and MARK in text and SHARED in text
    assert "Private to Mark Lee" not in text


def test_the_joint_release_leaves_private_words_out_and_says_so(client, login, world, entries, write_note):
    note = services.sign_note(world.clinician, write_note(world, cited=[e.id for e in entries]).id)
    login(world.clinician)

    response = client.get(f"/notes/{note.id}/pdf?release=joint")

    assert response.status_code == 200
    assert "joint" in response.headers["Content-Disposition"]
    text = _flat(pdf_text(response.data))
    assert PRIVATE not in text and "slammed" not in text
    assert SHARED in text
    assert "1 entry private to 陈静 is left out of this joint release." in text
    assert "Joint release for both partners" in text
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "note.export")).one()
    assert event.detail["release"] == "joint"


def test_a_note_of_an_individual_session_is_never_released_jointly(world, entries, write_note):
    note = write_note(world)
    db.session.execute(sa.text("UPDATE session_note SET attendees = 'A' WHERE id = :id"), {"id": note.id})
    db.session.commit()
    note = services.sign_note(world.clinician, note.id)

    with pytest.raises(DomainError, match="individual session"):
        services.note_pdf(world.clinician, note.id, joint=True)


def test_the_joint_release_chart_leaves_out_placements_a_partner_kept_private(
    world, add_scale, write_note,
):
    from clinic.notes.printing import note_print
    from clinic.records.models import ScalePlacement

    kept = add_scale(world, world.a, TODAY - timedelta(days=4), 2)  # 陈静 kept this one private
    told = add_scale(world, world.b, TODAY - timedelta(days=3), 8)
    db.session.execute(sa.update(ScalePlacement).where(ScalePlacement.id == told.id)
                       .values(shared_with_partner=True))
    db.session.commit()
    note = services.sign_note(world.clinician, write_note(world).id)

    record = note_print(note, services.verification(note), services.frozen(note), exported_by="x")
    joint = note_print(note, services.verification(note), services.frozen(note), exported_by="x",
                       joint=True)

    assert str(record.chart_svg).count('class="point"') == 2
    assert str(joint.chart_svg).count('class="point"') == 1  # Mark Lee's shared 8 alone
    assert "at 2" in str(record.chart_svg) and "at 2" not in str(joint.chart_svg)
    assert joint.withheld_scale == ["1 scale placement private to 陈静 is left out of this joint release."]
    assert record.withheld_scale == []
    assert kept.id != told.id


def test_under_a_safety_flag_the_joint_release_leaves_out_shares_not_let_through(
    world, add_exception, add_scale, write_note,
):
    from clinic.notes.printing import note_print
    from clinic.records.models import ScalePlacement
    from clinic.safety import services as safety

    entry = add_exception(world, world.b, TODAY - timedelta(days=2), SHARED)
    placement = add_scale(world, world.b, TODAY - timedelta(days=2), 8)
    for model, row in ((ExceptionEntry, entry), (ScalePlacement, placement)):
        db.session.execute(sa.update(model).where(model.id == row.id).values(shared_with_partner=True))
    db.session.commit()
    note = services.sign_note(world.clinician, write_note(world, cited=[entry.id]).id)
    safety.set_flag(world.clinician, world.couple.id, "Controlling behaviour described in session")

    held = _flat(pdf_text(services.note_pdf(world.clinician, note.id, joint=True)))

    assert SHARED not in held and "laughed" not in held
    assert "safety" not in held.lower() and "flag" not in held.lower() and "Controlling" not in held
    chart = note_print(note, services.verification(note), services.frozen(note), exported_by="x",
                       joint=True, hold=safety.sharing_hold(world.couple.id)).chart_svg
    assert str(chart).count('class="point"') == 0
    assert SHARED in _flat(pdf_text(services.note_pdf(world.clinician, note.id)))  # the record keeps it

    safety.release_share(world.clinician, world.couple.id, "exception", entry.id, {("exception", entry.id)})
    safety.release_share(world.clinician, world.couple.id, "scale", placement.id, {("scale", placement.id)})

    released = _flat(pdf_text(services.note_pdf(world.clinician, note.id, joint=True)))
    chart = note_print(note, services.verification(note), services.frozen(note), exported_by="x",
                       joint=True, hold=safety.sharing_hold(world.couple.id)).chart_svg
    assert SHARED in released
    assert str(chart).count('class="point"') == 1


def test_a_partners_private_answers_on_the_scale_are_not_written_into_the_draft(
    client, login, world,
):
    from clinic.records.services import add_in_session

    add_in_session(world.clinician, world.couple.id, world.a.id, "scale", {
        "date": TODAY.isoformat(), "value": "3", "movement": "He shouted at me again on Sunday",
    }, shared=False)
    add_in_session(world.clinician, world.couple.id, world.b.id, "scale", {
        "date": TODAY.isoformat(), "value": "6", "movement": "We walked every evening",
    }, shared=True)

    drafted = services.prefill(world.clinician, world.couple.id).sections["scale_notes"]
    login(world.clinician)
    page = html.unescape(client.get(f"/notes/couples/{world.couple.id}/new").get_data(as_text=True))
    editor = page.split('class="card note-context"')[0]
    beside = page.split('class="card note-context"')[1]

    # The draft (which a joint release prints as written) keeps only what was shared...
    assert "shouted" not in drafted and "shouted" not in editor
    assert "Mark Lee on what moved it: “We walked every evening”" in drafted
    # ...and the clinician still reads the private answer beside the editor, marked as private.
    assert "陈静 on what moved it: “He shouted at me again on Sunday”" in beside
    assert MARK in beside


def test_a_joint_release_chart_shows_no_session_one_partner_had_alone(world, add_scale, write_note):
    from clinic.notes.printing import note_print
    from clinic.notes.services import NoteInput, create_note
    from clinic.records.models import ScalePlacement

    for days in (30, 0):
        for partner in (world.a, world.b):
            add_scale(world, partner, TODAY - timedelta(days=days), 5)
    db.session.execute(sa.update(ScalePlacement).values(shared_with_partner=True))
    db.session.commit()
    alone = create_note(world.clinician, world.couple.id, NoteInput(
        session_date=TODAY - timedelta(days=15), duration_minutes=50, attendees="A",
        sections={"working": "Seen alone."}, cited_exception_ids=[], scale_today={},
    ))
    services.sign_note(world.clinician, alone.id)
    note = services.sign_note(world.clinician, write_note(world).id)

    record = note_print(note, services.verification(note), services.frozen(note), exported_by="x")
    joint = note_print(note, services.verification(note), services.frozen(note), exported_by="x",
                       joint=True)

    assert ">S2<" in str(record.chart_svg)
    assert ">S1<" in str(joint.chart_svg) and ">S2<" not in str(joint.chart_svg)
