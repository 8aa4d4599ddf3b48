"""Session-note use cases without HTTP: pre-fill, drafts, signing, the hash, addenda, scope."""

import threading
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.exercises.models import Assignment
from clinic.exercises.services import AssignmentRequest, assign_exercises
from clinic.extensions import db
from clinic.notes import services, signing
from clinic.notes.models import Addendum, SessionNote
from clinic.notes.sections import KEYS, SECTIONS
from clinic.notes.services import NoteInput
from clinic.records.models import ExceptionEntry

TODAY = datetime.now(UTC).date()


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ))


def _raw(sql: str, **params) -> None:
    """Change rows underneath the ORM, as another connection (or an attacker) would."""
    db.session.connection().execute(sa.text(sql), params)


def _commit_behind_the_session(sql: str, **params) -> None:
    """Commit a change made elsewhere while the objects this session read stay as they were
    read: what a clinician's request holds when another request commits in between."""
    session = db.session()
    session.expire_on_commit = False
    try:
        _raw(sql, **params)
        session.commit()
    finally:
        session.expire_on_commit = True


# --- pre-fill ---------------------------------------------------------------------------------


def test_prefill_quotes_new_exceptions_in_the_partners_words_credited_to_them(
    world, add_exception, write_note,
):
    old = add_exception(world, world.a, days_ago(20), "An old good evening", created=days_ago(20))
    write_note(world, session_date=days_ago(10))
    backlog = add_exception(world, world.b, days_ago(12), "I remembered the picnic", created=days_ago(3))
    jing = add_exception(
        world, world.a, days_ago(5), "我们一起做饭的时候沉默没有出现。",
        behaviour="I asked him to cut the vegetables", meaning="We can still be a team",
    )
    mark = add_exception(world, world.b, days_ago(2), "We laughed at dinner, no phones")

    context = services.prefill(world.clinician, world.couple.id)

    assert [q.id for q in context.exceptions] == [backlog.id, jing.id, mark.id]  # oldest first
    assert old.id not in context.cited_exception_ids
    quoted = {q.id: q for q in context.exceptions}
    assert (quoted[jing.id].partner_name, quoted[jing.id].context) == (
        "陈静", "我们一起做饭的时候沉默没有出现。",
    )
    assert quoted[jing.id].behaviour == "I asked him to cut the vegetables"
    assert quoted[mark.id].partner_name == "Mark Lee"
    assert context.cited_exception_ids == [backlog.id, jing.id, mark.id]  # kept unless dropped


def test_prefill_without_an_earlier_note_offers_every_entry(world, add_exception):
    first = add_exception(world, world.a, days_ago(40), "The first calm talk")

    context = services.prefill(world.clinician, world.couple.id)

    assert [q.id for q in context.exceptions] == [first.id]
    assert context.last_note_id is None


def test_prefill_shows_scale_positions_and_the_change_since_the_last_note(
    world, add_scale, write_note,
):
    add_scale(world, world.a, days_ago(30), 3)
    add_scale(world, world.b, days_ago(30), 5)
    write_note(world, session_date=days_ago(10), scale={"A": 4, "B": 5})
    add_scale(world, world.a, days_ago(2), 7)
    add_scale(world, world.b, days_ago(1), 4)

    context = services.prefill(world.clinician, world.couple.id)

    a, b = context.scale
    assert (a.value, a.previous, a.change, a.since) == (7, 4, 3, "note")
    assert (b.value, b.change) == (4, -1)
    assert a.summary == "陈静: 7/10 (up 3 since the last note)."
    assert b.summary == "Mark Lee: 4/10 (down 1 since the last note)."
    # Both kept these placements private: shown beside the draft, never written into it.
    assert "scale_notes" not in context.sections
    assert context.scale_today == {"A": 7, "B": 4}


def test_without_a_note_the_change_is_counted_from_the_first_placement(world, add_scale):
    add_scale(world, world.a, days_ago(30), 3)
    add_scale(world, world.a, days_ago(3), 6)
    add_scale(world, world.b, days_ago(3), 5)

    a, b = services.prefill(world.clinician, world.couple.id).scale

    assert (a.change, a.since) == (3, "first")
    assert b.summary == "Mark Lee: 5/10 (first placement)."


def test_prefill_lists_open_and_completed_assignments_and_last_next_steps(world, write_note):
    write_note(world, session_date=days_ago(7), next_steps="A walk on Sunday, phones at home.")
    made = assign_exercises(world.clinician, world.couple.id, [
        AssignmentRequest("exception-log", "each"),
        AssignmentRequest("listening-practice", "joint"),
        AssignmentRequest("hope-question", "A"),
    ])
    log_a, log_b, listening, hope = made
    db.session.execute(sa.update(Assignment).where(Assignment.id == listening.id).values(status="submitted"))
    db.session.execute(sa.update(Assignment).where(Assignment.id == hope.id).values(status="withdrawn"))
    db.session.execute(sa.update(Assignment).where(Assignment.id == log_b.id).values(status="started"))
    db.session.commit()

    context = services.prefill(world.clinician, world.couple.id)

    assert sorted(a.id for a in context.open_assignments) == sorted([log_a.id, log_b.id])
    assert [a.id for a in context.completed_assignments] == [listening.id]
    assert context.completed_assignments[0].label == "Listening practice (both, together)"
    assert context.last_next_steps == "A walk on Sunday, phones at home."
    steps = context.sections["review"]
    assert "Agreed last time: A walk on Sunday, phones at home." in steps
    assert "Exercises completed: Listening practice (both, together)." in steps
    assert "Exception log (陈静" in steps and "Exception log (Mark Lee" in steps
    assert context.sections["problem_name"] == "the Silence"  # the couple's name carries over


def test_prefill_saves_nothing(world, add_exception):
    add_exception(world, world.a, days_ago(1), "A calm morning")

    services.prefill(world.clinician, world.couple.id)

    assert db.session.scalar(sa.select(sa.func.count(SessionNote.id))) == 0


# --- drafts -----------------------------------------------------------------------------------


def test_create_note_stores_every_section_and_is_audited(world, add_exception):
    entry = add_exception(world, world.a, days_ago(2), "We cooked together")
    decomposed = unicodedata.normalize("NFD", "Café talk went well")

    note = services.create_note(world.clinician, world.couple.id, NoteInput(
        session_date=TODAY, duration_minutes=55, attendees="both",
        sections={"problem_name": "  the   Silence ", "working": decomposed},
        cited_exception_ids=[entry.id, entry.id], scale_today={"A": 6, "B": "5"},
    ))

    assert note.status == "draft" and note.clinician_id == world.clinician.id
    assert set(note.sections) == set(KEYS)
    assert note.sections["problem_name"] == "the Silence"
    assert note.sections["working"] == "Café talk went well"  # stored in NFC
    assert note.cited_exception_ids == [entry.id]
    assert note.scale_today == {"A": 6, "B": 5}
    assert [e.object_id for e in _actions("note.create")] == [note.id]


@pytest.mark.parametrize(("change", "field"), [
    ({"session_date": TODAY + timedelta(days=5)}, "session_date"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"attendees": "C"}, "attendees"),
    ({"scale_today": {"A": 11}}, "scale_A"),
    ({"sections": {"problem_name": "x" * 81}}, "problem_name"),
])
def test_create_note_refuses_input_out_of_shape(world, change, field):
    data = NoteInput(session_date=TODAY, sections={"working": "Walks"})
    for key, value in change.items():
        setattr(data, key, value)

    with pytest.raises(DomainError) as caught:
        services.create_note(world.clinician, world.couple.id, data)

    assert caught.value.field == field


def test_a_note_cannot_cite_another_couples_entries(world, make_couple, add_exception):
    other = make_couple(world.clinician, label="Other couple")
    from clinic.records.services import add_in_session

    theirs = add_in_session(world.clinician, other.id, other.partners[0].id, "exception",
                            {"date": TODAY.isoformat(), "context": "Not yours"}, shared=False)

    with pytest.raises(DomainError) as caught:
        services.create_note(world.clinician, world.couple.id,
                             NoteInput(session_date=TODAY, cited_exception_ids=[theirs.id]))

    assert caught.value.field == "keep"


def test_update_changes_a_draft(world, write_note):
    note = write_note(world)
    before = note.updated_at

    services.update_note(world.clinician, note.id, NoteInput(
        session_date=TODAY, sections={"working": "Morning walks"}, scale_today={"A": 7},
    ))

    note = db.session.get(SessionNote, note.id)
    assert note.sections["working"] == "Morning walks"
    assert note.sections["difficulties"] == ""
    assert note.updated_at > before
    assert len(_actions("note.update")) == 1


# --- signing ------------------------------------------------------------------------------------


def test_signing_locks_the_note_with_signer_time_and_hash(world, write_note):
    note = write_note(world)

    signed = services.sign_note(world.clinician, note.id, seen_version=services.draft_version(note))

    assert signed.status == "signed"
    assert signed.signed_by_id == world.clinician.id
    assert abs(datetime.now(UTC) - signed.signed_at) < timedelta(minutes=1)
    assert len(signed.content_hash) == 64 and int(signed.content_hash, 16) >= 0
    assert services.verify_note(signed)
    assert [e.object_id for e in _actions("note.sign")] == [note.id]


def test_the_hash_is_sha256_of_sorted_key_json_including_signer_and_time(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    row = db.session.execute(
        sa.select(SessionNote.__table__).where(SessionNote.__table__.c.id == note.id)
    ).mappings().one()

    payload = signing.content_payload(row, [])
    payload.update(signed_by_id=world.clinician.id, signed_at=signing.utc_iso(note.signed_at))
    blob = signing.canonical(payload)

    assert blob.startswith(b'{"attendees":"both","cited_entries":[]')
    assert b'"signed_at":"' in blob and blob.decode().count("Z") >= 1
    assert signing.digest(payload) == note.content_hash


def test_of_two_sign_calls_the_second_is_refused(world, write_note):
    note = write_note(world)
    services.sign_note(world.clinician, note.id)

    with pytest.raises(DomainError, match="signed by Dr Ruth Amsel"):
        services.sign_note(world.owner, note.id)

    note = db.session.get(SessionNote, note.id)
    assert note.signed_by_id == world.clinician.id
    assert len(_actions("note.sign")) == 1


def test_two_clinicians_signing_at_once_exactly_one_wins(app, world, write_note):
    note_id = write_note(world).id
    users = {"clinician": world.clinician.id, "owner": world.owner.id}
    db.session.commit()
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def sign(who: str) -> None:
        from clinic.auth.models import User

        with app.app_context():
            user = db.session.get(User, users[who])
            db.session.commit()  # end the read: on SQLite every transaction takes the write lock
            barrier.wait(timeout=10)
            try:
                services.sign_note(user, note_id)
                outcome[who] = "signed"
            except DomainError as error:
                outcome[who] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign, args=(who,)) for who in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcome.values()).count("signed") == 1, outcome
    [loser] = [m for m in outcome.values() if m != "signed"]
    assert "just before you" in loser or "can no longer change" in loser
    db.session.expire_all()
    assert services.verify_note(db.session.get(SessionNote, note_id))


def test_a_note_signed_by_someone_else_between_read_and_sign_is_not_signed_again(world, write_note):
    note = write_note(world)
    read = services.get_note(world.clinician, note.id)  # the draft, as this request read it
    _commit_behind_the_session(
        "UPDATE session_note SET status = 'signed', signed_by_id = :by, signed_at = :at, "
        "content_hash = :h WHERE id = :id",
        by=world.owner.id, at=datetime.now(UTC), h="0" * 64, id=note.id,
    )

    assert read.status == "draft"  # still what this request holds
    with pytest.raises(DomainError, match=r"Olive Owner.*just before you"):
        services.sign_note(world.clinician, note.id)

    assert db.session.get(SessionNote, note.id).signed_by_id == world.owner.id


def test_content_changed_between_read_and_sign_is_not_signed(world, write_note):
    note = write_note(world)
    read = services.get_note(world.clinician, note.id)  # what the signer read
    _commit_behind_the_session(
        "UPDATE session_note SET sections = :s, updated_at = :at WHERE id = :id",
        s='{"working": "changed behind your back"}', at=datetime.now(UTC) + timedelta(seconds=1),
        id=note.id,
    )

    assert read.sections["working"] == "Walking while talking."
    with pytest.raises(DomainError, match="changed while you were signing"):
        services.sign_note(world.clinician, note.id)

    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert note.status == "draft" and note.content_hash is None
    assert note.sections == {"working": "changed behind your back"}


def test_a_draft_edited_after_the_signer_opened_it_is_not_signed(world, write_note):
    note = write_note(world)
    seen = services.draft_version(note)
    services.update_note(world.owner, note.id,
                         NoteInput(session_date=TODAY, sections={"working": "Owner's edit"}))

    with pytest.raises(DomainError, match="changed since you opened it"):
        services.sign_note(world.clinician, note.id, seen_version=seen)

    assert db.session.get(SessionNote, note.id).status == "draft"


def test_an_empty_draft_cannot_be_signed(world):
    note = services.create_note(world.clinician, world.couple.id, NoteInput(session_date=TODAY))

    with pytest.raises(DomainError, match="at least one section"):
        services.sign_note(world.clinician, note.id)


def test_editing_a_signed_note_is_refused_by_the_service(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)

    with pytest.raises(DomainError, match="can no longer change"):
        services.update_note(world.clinician, note.id,
                             NoteInput(session_date=TODAY, sections={"working": "rewritten"}))

    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert note.sections["working"] == "Walking while talking."
    assert services.verify_note(note)


def test_no_orm_flush_can_rewrite_a_signed_note(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)

    note.sections = {**note.sections, "working": "quietly rewritten"}
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()

    assert services.verify_note(db.session.get(SessionNote, note.id))


def test_verification_detects_one_changed_byte(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    stored = db.session.scalar(sa.text("SELECT CAST(sections AS TEXT) FROM session_note WHERE id = :id"),
                               {"id": note.id})
    assert services.verify_note(note)

    tampered = stored.replace("Walking while talking.", "Walking while talking!")
    assert tampered != stored
    _raw("UPDATE session_note SET sections = :s WHERE id = :id", s=tampered, id=note.id)

    assert services.verify_note(note) is False
    assert services.verification(note).note_ok is False


def test_a_later_change_to_a_cited_entry_neither_alters_nor_unseals_the_signed_note(
    world, add_exception, write_note,
):
    entry = add_exception(world, world.a, days_ago(1), "We laughed")
    note = services.sign_note(world.clinician, write_note(world, cited=[entry.id]).id)
    assert services.verify_note(note)

    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == entry.id)
                       .values(context="We shouted"))

    assert services.verify_note(note)
    assert [q.context for q in services.shown_quotes(note)] == ["We laughed"]


def test_a_draft_does_not_verify(world, write_note):
    assert services.verify_note(write_note(world)) is False


# --- addenda ------------------------------------------------------------------------------------


def test_addenda_are_signed_hashed_chained_and_listed(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)

    first = services.add_addendum(world.clinician, note.id, "  Correction: the walk was on Friday. ")
    second = services.add_addendum(world.owner, note.id, "Reviewed in supervision.")

    assert first.text == "Correction: the walk was on Friday."
    assert (first.author_id, second.author_id) == (world.clinician.id, world.owner.id)
    assert first.signed_at is not None and len(first.content_hash) == 64
    assert second.content_hash == signing.addendum_hash(
        note_id=note.id, note_hash=note.content_hash, previous_hash=first.content_hash,
        author_id=world.owner.id, text="Reviewed in supervision.", signed_at=second.signed_at,
    )
    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert [a.id for a in note.addenda] == [first.id, second.id]
    assert services.verify_note(note)
    assert len(_actions("note.addendum")) == 2

    _raw("UPDATE addendum SET text = 'Correction: the walk was on Monday.' WHERE id = :id", id=first.id)
    check = services.verification(note)
    assert check.note_ok and check.addenda_ok == {first.id: False, second.id: True}
    assert not check.ok


def test_an_addendum_needs_a_signed_note_and_some_text(world, write_note):
    note = write_note(world)
    with pytest.raises(DomainError, match="still a draft"):
        services.add_addendum(world.clinician, note.id, "Too early")
    services.sign_note(world.clinician, note.id)
    with pytest.raises(DomainError) as caught:
        services.add_addendum(world.clinician, note.id, "   ")
    assert caught.value.field == "text"
    assert db.session.scalar(sa.select(sa.func.count(Addendum.id))) == 0


# --- scope and listing --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "outsider", "outside_owner", "colleague"])
def test_get_note_is_not_found_outside_the_caseload(world, write_note, who):
    note = write_note(world)
    user = getattr(world, who)

    for call in (
        lambda: services.get_note(user, note.id),
        lambda: services.prefill(user, world.couple.id),
        lambda: services.sign_note(user, note.id),
        lambda: services.add_addendum(user, note.id, "x"),
        lambda: services.note_pdf(user, note.id),
        lambda: services.create_note(user, world.couple.id, NoteInput(session_date=TODAY)),
    ):
        with pytest.raises(NotFound):
            call()


def test_the_owner_reaches_every_note_of_the_practice(world, write_note):
    note = write_note(world)
    assert services.get_note(world.owner, note.id).id == note.id


def test_notes_for_couple_newest_first_and_session_days(world, write_note):
    older = write_note(world, session_date=days_ago(14))
    newer = write_note(world, session_date=days_ago(7))

    assert [n.id for n in services.notes_for_couple(world.couple)] == [newer.id, older.id]
    assert services.session_days(world.couple.id) == [days_ago(14), days_ago(7)]


def test_only_signed_notes_export(world, write_note):
    note = write_note(world)
    with pytest.raises(DomainError, match="Only a signed note"):
        services.note_pdf(world.clinician, note.id)
    assert _actions("note.export") == []


def test_batch_export_is_for_the_owner_or_the_notes_clinician(world, write_note):
    by_owner = services.sign_note(world.owner, write_note(world, by=world.owner).id)

    with pytest.raises(DomainError, match="owner or the note's clinician"):
        services.export_note(world.clinician, by_owner.id)  # on their caseload, not their note
    assert services.export_note(world.owner, by_owner.id).startswith(b"%PDF")
    [event] = _actions("note.export")
    assert event.actor_user_id == world.owner.id and event.detail["channel"] == "cli"


def test_every_section_has_a_title_and_a_prompt():
    assert SECTIONS[0].key == "problem_name" and SECTIONS[0].short
    assert len(set(KEYS)) == len(KEYS)
    assert all(s.title and s.prompt for s in SECTIONS)
