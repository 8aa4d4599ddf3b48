"""The running records: exception entries and scale placements, from the portal and in session."""

from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.exercises.models import Assignment
from clinic.exercises.services import mark_reviewed
from clinic.extensions import db
from clinic.records import services
from clinic.records.models import ExceptionEntry, ExceptionTag, ScalePlacement
from clinic.timeutil import utcnow

MOMENT = {"date": "2025-03-14", "context": "  We cooked together  ", "behaviour": "",
          "meaning": "We can do this"}


def actions(prefix: str) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
    ))


def rows(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


@pytest.fixture
def w(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician)
    other = make_couple(clinician)
    a, b = couple.partners
    return SimpleNamespace(
        clinician=clinician, couple=couple, a=a, b=b, other=other, stranger=other.partners[0],
        owner=make_user(practice, role="owner"), colleague=make_user(practice),
        supervisor=make_user(practice, role="supervisor"), outsider=make_user(make_practice()),
    )


# --- from the portal ---------------------------------------------------------------------------


def test_a_portal_entry_is_the_partners_own_private_row(w):
    before = w.couple.last_activity_at

    entry = services.add_from_portal(w.a, "exception", MOMENT, shared=False)

    assert (entry.partner_id, entry.couple_id, entry.source) == (w.a.id, w.couple.id, "portal")
    assert entry.occurred_on == date(2025, 3, 14) and entry.context == "We cooked together"
    assert entry.behaviour is None and entry.meaning == "We can do this"
    assert not entry.shared_with_partner and entry.recorded_by_id is None
    assert w.couple.last_activity_at >= before
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.exception_add")).one()
    assert (event.actor_partner_id, event.object_id, event.practice_id) == (
        w.a.id, entry.id, w.couple.practice_id)
    assert event.detail is None  # ids only: no text of the entry in the audit trail


def test_a_scale_placement_without_a_date_is_placed_today(w):
    placement = services.add_from_portal(w.b, "scale", {"value": 7, "one_higher": " Tea "}, shared=True)

    assert placement.value == 7 and placement.placed_on == utcnow().date()
    assert placement.one_higher == "Tea" and placement.shared_with_partner


def test_the_same_idempotency_key_stores_one_row(w):
    first = services.add_from_portal(w.a, "exception", MOMENT, shared=False, idempotency_key="k1")
    again = services.add_from_portal(w.a, "exception", MOMENT, shared=False, idempotency_key="k1")
    services.add_from_portal(w.a, "exception", MOMENT, shared=False, idempotency_key="k2")
    services.add_from_portal(w.a, "exception", MOMENT, shared=False)
    services.add_from_portal(w.a, "exception", MOMENT, shared=False)

    assert again.id == first.id
    assert len(rows(ExceptionEntry)) == 4
    assert actions("portal.exception_add") == ["portal.exception_add"] * 4


def test_another_partners_idempotency_key_never_hands_back_their_row(w):
    mine = services.add_from_portal(w.a, "exception", MOMENT, shared=False, idempotency_key="same")

    theirs = services.add_from_portal(
        w.b, "exception", {**MOMENT, "context": "B's words"}, shared=False, idempotency_key="same"
    )

    assert [(e.id, e.partner_id, e.context) for e in rows(ExceptionEntry)] == [
        (mine.id, w.a.id, "We cooked together"), (theirs.id, w.b.id, "B's words"),
    ]


def test_the_same_key_with_other_text_changes_nothing_and_says_so(w):
    services.add_from_portal(w.a, "exception", MOMENT, shared=False, idempotency_key="k1")

    with pytest.raises(services.KeyAlreadyUsed):
        services.add_from_portal(w.a, "exception", {**MOMENT, "context": "Edited"}, shared=False,
                                 idempotency_key="k1")

    assert [e.context for e in rows(ExceptionEntry)] == ["We cooked together"]


def test_an_entry_for_an_exception_log_assignment_marks_it_sent_and_new_again(w, assign):
    log_a, log_b = assign(w.clinician, w.couple, "exception-log")

    first = services.add_from_portal(w.a, "exception", MOMENT, shared=False, assignment_id=log_a.id)
    submission = db.session.get(Assignment, log_a.id).submission
    mark_reviewed(w.clinician, submission.id)
    second = services.add_from_portal(w.a, "exception", MOMENT, shared=False, assignment_id=log_a.id)

    db.session.expire_all()
    assignment = db.session.get(Assignment, log_a.id)
    assert assignment.status == "submitted"
    assert assignment.submission.answers == {"record_ids": [first.id, second.id]}
    assert assignment.submission.reviewed_at is None  # new work for the clinician
    assert assignment.submission.prompts["record"] == "exception"
    assert db.session.get(Assignment, log_b.id).status == "assigned"


def test_an_entry_cannot_be_filed_under_someone_elses_or_the_wrong_assignment(w, assign):
    _log_a, log_b = assign(w.clinician, w.couple, "exception-log")
    scale_a, _scale_b = assign(w.clinician, w.couple, "scale-placement")

    with pytest.raises(NotFound):
        services.add_from_portal(w.a, "exception", MOMENT, shared=False, assignment_id=log_b.id)
    db.session.rollback()
    with pytest.raises(DomainError):
        services.add_from_portal(w.a, "exception", MOMENT, shared=False, assignment_id=scale_a.id)
    db.session.rollback()
    assert rows(ExceptionEntry) == []


def test_portal_tags_are_stored_once_and_credited_to_the_partner(w):
    entry = services.add_from_portal(w.a, "exception", MOMENT, shared=False, tags=[
        ("activity", "  cooking   together "), ("activity", "Cooking together"), ("time", "evening"),
    ])

    tags = rows(ExceptionTag)
    assert [(t.category, t.value, t.added_by_partner_id, t.entry_id) for t in tags] == [
        ("activity", "cooking together", w.a.id, entry.id), ("time", "evening", w.a.id, entry.id),
    ]


def test_tags_from_form_reads_only_known_categories():
    form = {"tag-activity": "  a   walk ", "tag-place": "", "tag-mood": "sad", "tag-time": "x" * 80}

    assert services.tags_from_form(form) == [("activity", "a walk"), ("time", "x" * 60)]


# --- who sees what -----------------------------------------------------------------------------


def test_a_partner_sees_their_own_records_and_only_what_the_other_shared(w):
    mine = services.add_from_portal(w.a, "exception", MOMENT, shared=False)
    theirs_private = services.add_from_portal(w.b, "exception", MOMENT, shared=False)
    theirs_shared = services.add_from_portal(w.b, "exception", MOMENT, shared=True)
    in_session_shared = services.add_in_session(w.clinician, w.couple.id, w.b.id, "exception",
                                                MOMENT, shared=True)
    services.add_from_portal(w.stranger, "exception", MOMENT, shared=True)

    seen = {e.id for e in services.visible_to_partner(w.a, "exception").items}

    assert seen == {mine.id, theirs_shared.id, in_session_shared.id}
    assert theirs_private.id not in seen
    assert {e.id for e in services.visible_to_partner(w.b, "exception").items} == {
        theirs_private.id, theirs_shared.id, in_session_shared.id,
    }
    assert services.visible_to_partner(w.a, "scale").items == []


def test_only_the_writer_can_change_who_sees_an_entry(w):
    entry = services.add_from_portal(w.b, "scale", {"value": 3}, shared=False)

    for partner in (w.a, w.stranger):
        with pytest.raises(NotFound):
            services.set_sharing(partner, "scale", entry.id, True)
        with pytest.raises(NotFound):
            services.get_own(partner, "scale", entry.id)
    with pytest.raises(NotFound):
        services.set_sharing(w.b, "exception", entry.id, True)  # the id under another kind

    assert services.set_sharing(w.b, "scale", entry.id, True).shared_with_partner
    assert not services.set_sharing(w.b, "scale", entry.id, False).shared_with_partner
    assert actions("portal.scale_") == ["portal.scale_add", "portal.scale_share", "portal.scale_unshare"]


def test_records_by_ids_never_crosses_into_another_couple(w):
    mine = services.add_from_portal(w.a, "exception", MOMENT, shared=False)
    foreign = services.add_from_portal(w.stranger, "exception", MOMENT, shared=False)

    found = services.records_by_ids(w.couple.id, "exception", [mine.id, foreign.id])

    assert [e.id for e in found] == [mine.id]
    assert services.records_by_ids(w.couple.id, "exception", []) == []


def test_couple_records_are_newest_first_and_can_be_limited(w):
    for day in ("2025-01-01", "2025-03-01", "2025-02-01"):
        services.add_from_portal(w.a, "exception", {**MOMENT, "date": day}, shared=False)
    services.add_from_portal(w.stranger, "exception", MOMENT, shared=False)

    days = [e.occurred_on.isoformat() for e in services.couple_records(w.couple, "exception")]
    assert days == ["2025-03-01", "2025-02-01", "2025-01-01"]
    assert len(services.couple_records(w.couple, "exception", limit=2)) == 2


# --- in session, by the clinician --------------------------------------------------------------


def test_a_clinician_records_an_entry_in_session_for_a_partner_of_the_couple(w):
    entry = services.add_in_session(w.clinician, w.couple.id, w.b.id, "scale", {"value": 4},
                                    shared=False)

    assert (entry.source, entry.recorded_by_id, entry.partner_id) == ("session", w.clinician.id, w.b.id)
    assert actions("scale.record") == ["scale.record"]
    assert services.add_in_session(w.owner, w.couple.id, w.a.id, "scale", {"value": 5}, shared=False)


def test_in_session_records_stay_within_the_caseload(w):
    for user in (w.outsider, w.colleague, w.supervisor):
        with pytest.raises(NotFound):
            services.add_in_session(user, w.couple.id, w.a.id, "exception", MOMENT, shared=False)
    with pytest.raises(NotFound):  # a partner of another couple, through this couple's id
        services.add_in_session(w.clinician, w.couple.id, w.stranger.id, "exception", MOMENT,
                                shared=False)
    db.session.rollback()
    assert rows(ExceptionEntry) == []


# --- the clinician's timeline and tags ---------------------------------------------------------


def test_the_timeline_is_scoped_filtered_and_audited(w):
    a_old = services.add_from_portal(w.a, "exception", {**MOMENT, "date": "2025-01-05"}, shared=False)
    b_new = services.add_from_portal(w.b, "exception", {**MOMENT, "date": "2025-03-05"}, shared=False)
    services.add_from_portal(w.stranger, "exception", MOMENT, shared=False)

    couple, everything = services.timeline(
        w.clinician, w.couple.id, services.TimelineFilter(), page=1, per_page=20
    )
    assert couple.id == w.couple.id and [e.id for e in everything.items] == [b_new.id, a_old.id]
    _c, only_a = services.timeline(w.clinician, w.couple.id,
                                   services.TimelineFilter(partner_id=w.a.id), page=1, per_page=20)
    assert [e.id for e in only_a.items] == [a_old.id]
    _c, since = services.timeline(w.clinician, w.couple.id,
                                  services.TimelineFilter(since=date(2025, 2, 1)), page=1, per_page=20)
    assert [e.id for e in since.items] == [b_new.id]
    assert actions("exception.timeline") == ["exception.timeline"] * 3
    for user in (w.outsider, w.colleague, w.supervisor):
        with pytest.raises(NotFound):
            services.timeline(user, w.couple.id, services.TimelineFilter(), page=1, per_page=20)


def test_tags_are_added_and_removed_only_within_the_couple(w):
    entry = services.add_from_portal(w.a, "exception", MOMENT, shared=False)
    foreign = services.add_from_portal(w.stranger, "exception", MOMENT, shared=False)

    services.tag_entry(w.clinician, w.couple.id, entry.id, "place", " at   home ")
    services.tag_entry(w.clinician, w.couple.id, entry.id, "place", "AT HOME")  # no duplicate
    tag = rows(ExceptionTag)[0]
    assert (tag.value, tag.added_by_user_id, len(rows(ExceptionTag))) == ("at home", w.clinician.id, 1)

    with pytest.raises(NotFound):  # another couple's entry through this couple's id
        services.tag_entry(w.clinician, w.couple.id, foreign.id, "place", "x")
    with pytest.raises(NotFound):
        services.tag_entry(w.outsider, w.couple.id, entry.id, "place", "x")
    with pytest.raises(DomainError):
        services.tag_entry(w.clinician, w.couple.id, entry.id, "mood", "x")
    with pytest.raises(DomainError):
        services.tag_entry(w.clinician, w.couple.id, entry.id, "place", "   ")
    with pytest.raises(NotFound):
        services.remove_tag(w.clinician, w.other.id, tag.id)
    with pytest.raises(NotFound):
        services.remove_tag(w.outsider, w.couple.id, tag.id)
    db.session.rollback()

    services.remove_tag(w.clinician, w.couple.id, tag.id)
    assert rows(ExceptionTag) == []
    assert actions("exception.") == ["exception.tag", "exception.untag"]


def test_scale_placements_are_kept_between_1_and_10_by_the_database(w):
    services.add_in_session(w.clinician, w.couple.id, w.a.id, "scale", {"value": 10}, shared=False)

    with pytest.raises(IntegrityError):
        services.add_in_session(w.clinician, w.couple.id, w.a.id, "scale", {"value": 11},
                                shared=False)
    db.session.rollback()
    assert [p.value for p in rows(ScalePlacement)] == [10]
