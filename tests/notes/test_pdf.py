"""The signed note as a PDF: real text extracted with pypdf, Latin and Chinese, nothing embedded."""

import io
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from clinic.extensions import db
from clinic.notes import services
from clinic.notes.sections import SECTIONS
from tests.pdf_helpers import embedded_files

TODAY = datetime.now(UTC).date()
CHINESE_QUOTE = "我们一起做饭的时候沉默没有出现。"


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def signed_note(world, add_exception, add_scale, write_note):
    add_scale(world, world.a, TODAY - timedelta(days=21), 3)
    add_scale(world, world.b, TODAY - timedelta(days=21), 4)
    add_scale(world, world.a, TODAY - timedelta(days=1), 6)
    add_scale(world, world.b, TODAY - timedelta(days=1), 5)
    jing = add_exception(world, world.a, TODAY - timedelta(days=3), CHINESE_QUOTE,
                         meaning="我们还是一个团队")
    mark = add_exception(world, world.b, TODAY - timedelta(days=2), "We laughed at dinner, no phones")
    note = write_note(world, cited=[jing.id, mark.id],
                      own_words="陈静: “我们找到了回到彼此身边的路。” Mark: “It felt like us again.”")
    note = services.sign_note(world.clinician, note.id)
    services.add_addendum(world.owner, note.id, "Reviewed in supervision on Friday.")
    return note


def test_the_pdf_carries_every_section_the_clients_words_and_the_signature(world, signed_note):
    pdf = services.note_pdf(world.clinician, signed_note.id)
    text = _text(pdf)
    flat = _flat(text)

    assert pdf.startswith(b"%PDF")
    for part in ("Harbour Lane Practice", "Chen & Lee", "Session note", "Dr Ruth Amsel", "50 minutes",
                 "Both partners: 陈静 and Mark Lee"):
        assert part in flat, part
    for section in SECTIONS:
        assert section.title in flat, section.title
    # The clients' words, quoted and credited, Latin and Chinese.
    assert CHINESE_QUOTE in flat and "我们还是一个团队" in flat
    assert "“We laughed at dinner, no phones” — Mark Lee" in flat
    assert "我们找到了回到彼此身边的路。" in flat and "It felt like us again." in flat
    assert "the Silence" in flat
    # The signature block, the addendum and the page numbers.
    assert "Signed by" in flat and "Dr Ruth Amsel" in flat
    assert signed_note.content_hash in "".join(text.split())
    assert "Verified: the stored note matches the hash made at signing." in flat
    assert "Reviewed in supervision on Friday." in flat and "Olive Owner" in flat
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    # The dyadic chart is drawn (its title is text inside the SVG and the caption).
    assert "Scale placements up to this session" in flat


def test_a_note_changed_after_signing_prints_as_not_verified(world, signed_note):
    db.session.execute(
        db.text("UPDATE session_note SET duration_minutes = 90 WHERE id = :id"), {"id": signed_note.id}
    )
    db.session.commit()

    flat = _flat(_text(services.note_pdf(world.clinician, signed_note.id)))

    assert "NOT VERIFIED" in flat and "90 minutes" in flat


def test_client_text_with_html_is_printed_literally_and_nothing_is_embedded(world, write_note):
    hostile = '<img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/hostname">hostname</a>'
    note = write_note(world, difficulties=hostile, own_words='<link rel="attachment" href="file:///etc/hostname">')
    note = services.sign_note(world.clinician, note.id)

    pdf = services.note_pdf(world.clinician, note.id)

    assert embedded_files(pdf, count_links=True) == []
    flat = _flat(_text(pdf))
    assert '<img src="file:///etc/passwd">' in flat
    assert '<a rel="attachment" href="file:///etc/hostname">hostname</a>' in flat
    assert b"root:x:0:0" not in pdf
