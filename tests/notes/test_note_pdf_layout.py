"""The note PDF as a supervisor reads it: a header with the practice's address, the clinician's
credentials and a confidentiality line; no empty sections and no padding; the scale table and its
section agree; the partners' own words about what moved them; a short note on one or two pages
with the signature never alone on the last; a tagged PDF."""

import io
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from clinic.notes import services
from clinic.practice.services import practice_settings, update_member, update_settings
from tests.pdf_helpers import page_texts, pdf_text

TODAY = datetime.now(UTC).date()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def header(world):
    settings = practice_settings(world.owner)
    update_settings(world.owner, type(settings)(**{**settings.__dict__,
                                                   "address": "12 Harbour Lane\nBristol BS1 4QA"}))
    update_member(world.owner, world.clinician.id, role="clinician", active=True,
                  credentials="MA, licensed marriage and family therapist")
    return world


def test_the_header_names_the_practice_address_credentials_and_is_marked_confidential(
    header, write_note,
):
    note = services.sign_note(header.clinician, write_note(header).id)

    text = _flat(pdf_text(services.note_pdf(header.clinician, note.id)))

    assert "12 Harbour Lane Bristol BS1 4QA" in text
    assert "Dr Ruth Amsel, MA, licensed marriage and family therapist" in text
    assert "Confidential clinical record. It holds health information about both partners" in text
    assert text.count("Confidential clinical record") >= 2  # and on every page's foot


def test_empty_sections_are_left_out_and_nothing_says_nothing_recorded(world, write_note):
    note = write_note(world, difficulties="", resources="", preferred_future="", try_differently="",
                      scale_notes="", scale={})
    note = services.sign_note(world.clinician, note.id)

    text = _flat(pdf_text(services.note_pdf(world.clinician, note.id)))

    assert "Nothing recorded" not in text and "No addenda" not in text
    for title in ("Difficulties acknowledged", "Resources and coping", "Preferred future",
                  "What to try differently", "Scale today", "Addenda"):
        assert title not in text, title
    assert "What is working (do more)" in text


def test_a_scale_table_is_never_under_a_section_that_says_nothing_was_recorded(world, write_note):
    note = services.sign_note(world.clinician, write_note(world, scale_notes="", scale={"A": 6}).id)

    text = _flat(pdf_text(services.note_pdf(world.clinician, note.id)))

    assert "Scale today" in text and "Nothing recorded" not in text
    assert "陈静 6" in text


def test_the_partners_answers_about_what_moved_them_reach_the_note(world, add_scale):
    from clinic.records.services import add_in_session

    add_scale(world, world.a, TODAY - timedelta(days=20), 4)
    add_in_session(world.clinician, world.couple.id, world.a.id, "scale", {
        "date": TODAY.isoformat(), "value": "6", "movement": "We walked every evening",
        "keeps_from_lower": "My sister's calls",
    }, shared=True)  # a private placement's words stay beside the editor (test_private_words.py)

    text = services.prefill(world.clinician, world.couple.id).sections["scale_notes"]

    assert "陈静 on what moved it: “We walked every evening”" in text
    assert "陈静 on what keeps it from being lower: “My sister's calls”" in text


def test_a_typical_note_fits_two_pages_and_the_signature_is_never_alone(
    header, add_scale, add_exception, write_note,
):
    for days, a, b in ((40, 3, 4), (26, 4, 4), (12, 5, 6), (0, 6, 5)):
        add_scale(header, header.a, TODAY - timedelta(days=days), a)
        add_scale(header, header.b, TODAY - timedelta(days=days), b)
    cooked = add_exception(header, header.a, TODAY - timedelta(days=3), "We cooked, the Silence stayed away",
                           behaviour="I asked him to cut the vegetables", meaning="We can still be a team")
    laughed = add_exception(header, header.b, TODAY - timedelta(days=2), "We laughed at dinner, no phones")
    cited = [cooked.id, laughed.id]
    note = services.sign_note(header.clinician, write_note(header, cited=cited).id)

    pdf = services.note_pdf(header.clinician, note.id)
    pages = page_texts(pdf)

    assert len(pages) <= 2, [len(p) for p in pages]
    last = _flat(pages[-1])
    assert "Signature" in last
    # The last page carries some of the note itself, not only the signature and the colophon.
    before_signature = last.split("Signature")[0]
    assert any(title in before_signature for title in ("In their own words", "Next small steps",
                                                       "What to try differently", "What is working"))


def test_the_pdf_is_tagged_for_assistive_technology(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)

    reader = pypdf.PdfReader(io.BytesIO(services.note_pdf(world.clinician, note.id)))
    root = reader.trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root.get("/Lang")
