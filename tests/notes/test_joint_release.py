"""A joint release carries nothing one partner kept from the other: their private words are taken
out of the clinician's text wherever it repeats them (entries, scale answers, exercise answers,
check-ins), and a partner's scale today is printed only when it is a placement they shared. The
clinical record keeps everything; the draft is never pre-filled with a private placement."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.notes import services
from clinic.notes.printing import note_print
from clinic.records.models import ExceptionEntry, ScalePlacement
from clinic.records.services import add_in_session
from clinic.safety.models import SafetyCheckin
from tests.pdf_helpers import pdf_text

TODAY = datetime.now(UTC).date()
PRIVATE = "When he slammed the door I went to my sister's and did not say why"
SHARED = "We laughed at dinner with no phones on the table at all"
CHECKIN = "He took my phone again and read every message"


def _flat(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _share(model, row) -> None:
    db.session.execute(sa.update(model).where(model.id == row.id).values(shared_with_partner=True))
    db.session.commit()


@pytest.fixture
def words(world, add_exception):
    add_exception(world, world.a, TODAY - timedelta(days=3), PRIVATE)
    _share(ExceptionEntry, add_exception(world, world.b, TODAY - timedelta(days=2), SHARED))
    db.session.add(SafetyCheckin(couple_id=world.couple.id, partner_id=world.a.id, questions=[],
                                 answers={"safe": "not sure", "more": CHECKIN}, state="submitted"))
    db.session.commit()


def test_private_words_copied_into_the_text_are_left_out_of_the_joint_release_only(
    world, words, write_note,
):
    note = write_note(world, unique_outcomes=(
        f"Jing said: “{PRIVATE.lower()}.” Mark told us: {SHARED}."),
        difficulties=f"Jing wrote that {CHECKIN.lower()}; we will come back to it alone.")
    services.sign_note(world.clinician, note.id)

    joint = _flat(services.note_pdf(world.clinician, note.id, joint=True))
    record = _flat(services.note_pdf(world.clinician, note.id))

    assert "slammed the door" not in joint and "read every message" not in joint
    assert "Jing said: “[…].”" in joint and "Jing wrote that […]; we will come back to it alone." in joint
    assert SHARED in joint
    assert "Words 陈静 kept private are left out of this joint release (marked […])." in joint
    assert "Mark Lee kept private" not in joint
    assert PRIVATE.lower() in record and CHECKIN.lower() in record and "[…]" not in record


def test_a_partners_private_exercise_answers_are_left_out_too(world, write_note, assign):
    from clinic.exercises.models import Assignment
    from clinic.exercises.services import save_answers

    assign(world.clinician, world.couple, "hope-question", target="A")
    assignment = db.session.scalars(sa.select(Assignment)).one()
    save_answers(world.a, assignment.id, {"a_little_better": "I would not be scared to come home",
                                          "first_noticed": ""}, submit=True, shared=False)
    note = write_note(world, preferred_future="Jing: I would not be scared to come home, she said.")
    services.sign_note(world.clinician, note.id)

    joint = _flat(services.note_pdf(world.clinician, note.id, joint=True))

    assert "scared to come home" not in joint and "Jing: […], she said." in joint


def test_scale_today_reaches_the_joint_release_only_when_its_placement_was_shared(
    world, add_scale, write_note,
):
    add_scale(world, world.a, TODAY - timedelta(days=1), 3)  # 陈静 kept it private
    _share(ScalePlacement, add_scale(world, world.b, TODAY - timedelta(days=1), 7))
    note = services.sign_note(world.clinician, write_note(world, scale={"A": 3, "B": 7}).id)

    joint = note_print(note, services.verification(note), services.frozen(note), exported_by="x",
                       joint=True, private_words={})
    record = note_print(note, services.verification(note), services.frozen(note), exported_by="x")
    text = _flat(services.note_pdf(world.clinician, note.id, joint=True))

    assert {p.position: p.value for p in joint.scale} == {"A": None, "B": 7}
    assert {p.position: p.value for p in record.scale} == {"A": 3, "B": 7}
    assert "陈静's scale today is left out of this joint release: it is not a placement they shared." in text


def test_under_a_safety_flag_a_shared_scale_today_waits_to_be_let_through(world, add_scale, write_note):
    from clinic.safety import services as safety

    placement = add_scale(world, world.b, TODAY - timedelta(days=1), 7)
    _share(ScalePlacement, placement)
    note = services.sign_note(world.clinician, write_note(world, scale={"B": 7}).id)
    safety.set_flag(world.clinician, world.couple.id, "Seen apart next time")

    held = _flat(services.note_pdf(world.clinician, note.id, joint=True))
    safety.release_share(world.clinician, world.couple.id, "scale", placement.id, {("scale", placement.id)})
    released = _flat(services.note_pdf(world.clinician, note.id, joint=True))

    assert "Mark Lee's scale today is left out" in held
    assert "Mark Lee's scale today is left out" not in released


def test_the_draft_is_not_prefilled_with_a_private_placement(world):
    add_in_session(world.clinician, world.couple.id, world.a.id, "scale",
                   {"date": TODAY.isoformat(), "value": "3"}, shared=False)
    add_in_session(world.clinician, world.couple.id, world.b.id, "scale",
                   {"date": TODAY.isoformat(), "value": "6"}, shared=True)

    drafted = services.prefill(world.clinician, world.couple.id).sections["scale_notes"]

    assert "Mark Lee: 6/10" in drafted and "陈静" not in drafted and "3/10" not in drafted
