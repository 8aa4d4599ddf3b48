"""What one note hands to the next: the steps agreed (only the clinician's own words, never the
editor's earlier lines), and everything that happened after the note was written, even on the
same day, including a fall on the scale that needs attention."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from clinic.caseload.services import attention
from clinic.exercises.services import AssignmentRequest, assign_exercises
from clinic.extensions import db
from clinic.notes import services
from clinic.notes.services import NoteInput
from clinic.records.models import ExceptionEntry, ScalePlacement

TODAY = datetime.now(UTC).date()


def _save(world, context, session_date, **typed):
    """Save the pre-filled editor as the clinician would, adding what they type."""
    sections = {**context.sections, **typed}
    return services.create_note(world.clinician, world.couple.id, NoteInput(
        session_date=session_date, sections=sections,
        cited_exception_ids=context.cited_exception_ids, scale_today=context.scale_today,
    ))


def _created(model, row_id, moment):
    db.session.execute(sa.update(model).where(model.id == row_id).values(created_at=moment))
    db.session.commit()


def test_three_notes_in_a_row_quote_only_what_the_clinician_agreed_last_time(world, write_note):
    write_note(world, session_date=TODAY - timedelta(days=14), next_steps="A walk on Sunday.")
    assign_exercises(world.clinician, world.couple.id, [AssignmentRequest("hope-question", "A")])

    second = services.prefill(world.clinician, world.couple.id)
    _save(world, second, TODAY - timedelta(days=7), next_steps="Cook together on Tuesday.")
    third = services.prefill(world.clinician, world.couple.id)

    review = third.sections["review"]
    assert review.startswith("Agreed last time: Cook together on Tuesday.")
    assert "A walk on Sunday" not in review  # the week before is not re-quoted
    assert review.count("Agreed last time") == 1
    assert review.count("Exercises still open") == 1
    assert "next_steps" not in third.sections  # the new steps are the clinician's to write
    assert third.last_next_steps == "Cook together on Tuesday."


def test_an_older_note_with_the_editors_lines_in_its_steps_is_quoted_without_them(world, write_note):
    write_note(world, session_date=TODAY - timedelta(days=7), next_steps=(
        "Agreed last time: Agreed last time: A walk on Sunday.\n"
        "Exercises still open: Hope question (陈静).\n"
        "Phones in the drawer at dinner."
    ))

    review = services.prefill(world.clinician, world.couple.id).sections["review"]

    assert review == "Agreed last time: Phones in the drawer at dinner."


def test_entries_written_on_the_day_of_the_last_note_after_it_reach_the_next_note(
    world, add_exception, write_note,
):
    earlier = add_exception(world, world.a, TODAY, "Before the session we had breakfast together")
    _created(ExceptionEntry, earlier.id, datetime.now(UTC) - timedelta(minutes=30))
    note = write_note(world, session_date=TODAY)
    services.sign_note(world.clinician, note.id)
    evening = add_exception(world, world.b, TODAY, "That evening we talked instead of going silent")
    _created(ExceptionEntry, evening.id, datetime.now(UTC) + timedelta(minutes=5))

    context = services.prefill(world.clinician, world.couple.id)

    assert [q.id for q in context.exceptions] == [evening.id]
    assert evening.id in context.cited_exception_ids


def test_a_fall_on_the_scale_later_on_the_day_of_the_note_needs_attention(
    world, add_scale, write_note,
):
    first = add_scale(world, world.a, TODAY - timedelta(days=10), 7)
    _created(ScalePlacement, first.id, datetime.now(UTC) - timedelta(days=10))
    same_day = add_scale(world, world.a, TODAY, 7)
    _created(ScalePlacement, same_day.id, datetime.now(UTC) - timedelta(hours=1))
    note = write_note(world, session_date=TODAY, scale={"A": 7})
    services.sign_note(world.clinician, note.id)
    evening = add_scale(world, world.a, TODAY, 3)  # placed that evening, after the note
    _created(ScalePlacement, evening.id, datetime.now(UTC) + timedelta(minutes=5))

    reasons = {a.case_label: a.reasons for a in attention(world.clinician)}

    assert "陈静's scale fell 4 points since the last session" in reasons[world.couple.case_label]


def test_placements_the_note_saw_on_its_day_raise_no_alarm(world, add_scale, write_note):
    add_scale(world, world.a, TODAY - timedelta(days=10), 7)
    add_scale(world, world.a, TODAY, 4)  # told in the session, before the note was signed
    note = write_note(world, session_date=TODAY, scale={"A": 4})
    services.sign_note(world.clinician, note.id)

    reasons = {a.case_label: a.reasons for a in attention(world.clinician)}

    assert not any("scale fell" in r for r in reasons.get(world.couple.case_label, []))
