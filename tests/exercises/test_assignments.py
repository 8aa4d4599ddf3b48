"""Assignments and submissions from the clinician's side: assign, withdraw, read, review, reply."""

import dataclasses
import html
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.exercises import catalogue, services
from clinic.exercises.models import Assignment, Submission
from clinic.exercises.services import AssignmentRequest
from clinic.extensions import db

NARRATIVE = {
    "matters": "That we laugh together again",
    "struggles": "The long evenings of silence",
    "longings": "Sunday walks by the river",
    "anything_else": "",
}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def actions(prefix: str) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
    ))


@pytest.fixture
def w(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, label="The Riverside couple", stage=3)
    a, b = couple.partners
    return SimpleNamespace(
        practice=practice, clinician=clinician, couple=couple, a=a, b=b,
        owner=make_user(practice, role="owner"),
        colleague=make_user(practice),
        supervisor=make_user(practice, role="supervisor"),
        outsider=make_user(make_practice()),
    )


def submit(partner, assignment, answers=None, *, shared=False):
    return services.save_answers(partner, assignment.id, answers or NARRATIVE, submit=True,
                                 shared=shared)


# --- assigning ---------------------------------------------------------------------------------


def test_each_gives_one_assignment_per_partner_at_the_current_version(w):
    created = services.assign_exercises(w.clinician, w.couple.id, [
        AssignmentRequest("relationship-narrative", "each", note="  Take your time  "),
    ])

    assert [a.partner_id for a in created] == [w.a.id, w.b.id]
    for a in created:
        assert (a.joint, a.status, a.created_by_id) == (False, "assigned", w.clinician.id)
        assert a.exercise_version == catalogue.get("relationship-narrative").version
        assert a.note == "Take your time"
    assert actions("assignment.") == ["assignment.create", "assignment.create"]


def test_a_joint_exercise_goes_to_the_couple_and_single_targets_to_one_partner(w):
    joint, only_b = services.assign_exercises(w.clinician, w.couple.id, [
        AssignmentRequest("listening-practice", "joint"),
        AssignmentRequest("hope-question", "B"),
    ])

    assert (joint.joint, joint.partner_id) == (True, None)
    assert (only_b.joint, only_b.partner_id) == (False, w.b.id)


@pytest.mark.parametrize(("key", "target", "message"), [
    ("listening-practice", "each", "Both, together"),
    ("hope-question", "joint", "choose A, B or each"),
    ("no-such-exercise", "each", "not in the catalogue"),
    ("hope-question", "C", "Choose who does it"),
])
def test_a_target_that_does_not_fit_is_refused_and_nothing_is_stored(w, key, target, message):
    with pytest.raises(DomainError) as refused:
        services.assign_exercises(w.clinician, w.couple.id, [
            AssignmentRequest("coping-list", "each"), AssignmentRequest(key, target),
        ])

    assert message in refused.value.message and refused.value.field == key
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_assigning_nothing_is_refused(w):
    with pytest.raises(DomainError, match="at least one"):
        services.assign_exercises(w.clinician, w.couple.id, [])


def test_only_the_couples_clinician_and_the_owner_can_assign(w):
    for user in (w.outsider, w.colleague, w.supervisor):
        with pytest.raises(NotFound):
            services.assign_exercises(user, w.couple.id, [AssignmentRequest("coping-list", "A")])
    assert services.assign_exercises(w.owner, w.couple.id, [AssignmentRequest("coping-list", "A")])


def test_the_assign_page_puts_the_current_stage_first_and_assigns_the_ticked_rows(w, signed_in):
    browser = signed_in(w.clinician)

    form = page(browser.get(f"/exercises/couples/{w.couple.id}/assign"))
    headings = re.findall(r'<h2 class="stage-heading">(\d)\.', form)
    assert headings[0] == "3" and sorted(headings) == ["1", "2", "3", "4", "5", "6"]
    assert "current stage" in form

    response = browser.post(f"/exercises/couples/{w.couple.id}/assign", data={
        "rows-0-key": "miracle-question", "rows-0-pick": "y", "rows-0-target": "A",
        "rows-0-note": "Just the first sign", "rows-0-due_on": "2030-01-31",
        "rows-1-key": "value-ranking", "rows-1-target": "each",  # not ticked
    })

    assert response.status_code == 302
    assert response.location == f"/couples/{w.couple.id}#assignments"
    assignment = db.session.scalars(sa.select(Assignment)).one()
    assert (assignment.exercise_key, assignment.partner_id) == ("miracle-question", w.a.id)
    assert assignment.note == "Just the first sign" and str(assignment.due_on) == "2030-01-31"


def test_a_wrong_target_is_explained_next_to_its_row_and_the_choices_are_kept(w, signed_in):
    browser = signed_in(w.clinician)

    response = browser.post(f"/exercises/couples/{w.couple.id}/assign", data={
        "rows-0-key": "listening-practice", "rows-0-pick": "y", "rows-0-target": "A",
        "rows-0-note": "Sunday evening works best",
    })

    body = page(response)
    assert response.status_code == 422
    row = body[body.index('id="pick-listening-practice"'):]
    row = row[:row.index("</fieldset>")]
    assert "The couple does this one together" in row
    assert "Sunday evening works best" in row
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_a_form_cannot_post_a_couple_or_partner_of_its_choosing(w, signed_in, make_couple):
    other = make_couple(w.clinician)
    browser = signed_in(w.clinician)

    browser.post(f"/exercises/couples/{w.couple.id}/assign", data={
        "rows-0-key": "coping-list", "rows-0-pick": "y", "rows-0-target": "A",
        "couple_id": str(other.id), "rows-0-partner_id": str(other.partners[0].id),
        "rows-0-status": "reviewed", "rows-0-exercise_version": "99",
    })

    assignment = db.session.scalars(sa.select(Assignment)).one()
    assert (assignment.couple_id, assignment.partner_id) == (w.couple.id, w.a.id)
    assert assignment.status == "assigned"
    assert assignment.exercise_version == catalogue.versions("coping-list")[-1]


# --- withdrawing -------------------------------------------------------------------------------


def test_an_untouched_assignment_can_be_withdrawn(w, assign, signed_in):
    assignment = assign(w.clinician, w.couple, "hope-question", target="A")[0]

    response = signed_in(w.clinician).post(f"/exercises/assignments/{assignment.id}/withdraw")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status == "withdrawn"
    assert actions("assignment.withdraw") == ["assignment.withdraw"]


@pytest.mark.parametrize("submit_it", [False, True])
def test_a_started_or_sent_assignment_cannot_be_withdrawn(w, assign, signed_in, submit_it):
    assignment = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]
    services.save_answers(w.a, assignment.id, NARRATIVE, submit=submit_it, shared=False)
    browser = signed_in(w.clinician)

    response = browser.post(f"/exercises/assignments/{assignment.id}/withdraw", follow_redirects=True)

    assert "it can no longer be withdrawn" in page(response)
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status == ("submitted" if submit_it else "started")
    with pytest.raises(DomainError):
        services.withdraw_assignment(w.clinician, assignment.id)
    assert actions("assignment.withdraw") == []


# --- the partner's writing, seen from the services ---------------------------------------------


def test_a_submission_keeps_a_snapshot_of_the_prompts_it_answered(w, assign):
    assignment = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]

    submission = submit(w.a, assignment)

    # In the language its author saw them in (English here), saying so.
    assert submission.prompts == {**catalogue.get("relationship-narrative").snapshot(), "locale": "en"}
    assert submission.exercise_version == 1 and submission.couple_id == w.couple.id


def test_a_sent_submission_cannot_be_sent_or_saved_again(w, assign):
    assignment = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]
    submit(w.a, assignment)

    for final in (True, False):
        with pytest.raises(DomainError, match="already sent"):
            services.save_answers(w.a, assignment.id, {"matters": "new"}, submit=final, shared=False)
    db.session.rollback()
    assert db.session.scalars(sa.select(Submission)).one().answers == NARRATIVE


def test_the_other_partner_cannot_write_into_an_assignment(w, assign, make_couple):
    assignment = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]
    stranger = make_couple(w.clinician).partners[0]

    for partner in (w.b, stranger):
        with pytest.raises(NotFound):
            services.save_answers(partner, assignment.id, NARRATIVE, submit=True, shared=False)
        with pytest.raises(NotFound):
            services.get_partner_assignment(partner, assignment.id)


def test_joint_work_is_never_flagged_as_shared_by_one_partner_but_both_see_it(w, assign):
    assignment = assign(w.clinician, w.couple, "listening-practice")[0]

    submission = services.save_answers(
        w.b, assignment.id, {"understood": "x", "being_heard": "y"}, submit=True, shared=True
    )

    assert not submission.shared_with_partner
    assert [s.id for s in services.shared_by_other(w.a)] == [submission.id]
    assert [s.id for s in services.shared_by_other(w.b)] == [submission.id]


def test_private_and_draft_work_is_not_shared_and_shared_work_is(w, assign):
    narrative_a, narrative_b = assign(w.clinician, w.couple, "relationship-narrative")
    hope_a, _hope_b = assign(w.clinician, w.couple, "hope-question")
    private = submit(w.a, narrative_a)
    services.save_answers(w.a, hope_a.id, {"a_little_better": "x"}, submit=False, shared=True)
    shared = submit(w.b, narrative_b, shared=True)

    assert [s.id for s in services.shared_by_other(w.a)] == [shared.id]
    assert services.shared_by_other(w.b) == []
    with pytest.raises(NotFound):
        services.get_shared_submission(w.b, private.id)
    assert services.get_shared_submission(w.a, shared.id).id == shared.id


def test_a_record_entry_for_the_wrong_kind_of_assignment_is_refused(w, assign):
    narrative = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]

    with pytest.raises(DomainError):
        services.note_record_added(w.a, narrative.id, "exception", 1)


# --- reading, reviewing, replying (the inbox is tested in tests/inbox) -------------------------


def test_a_submission_page_shows_each_prompt_beside_its_answer(w, assign, signed_in):
    s = submit(w.a, assign(w.clinician, w.couple, "relationship-narrative", target="A")[0])

    response = signed_in(w.clinician).get(f"/exercises/submissions/{s.id}")

    assert response.status_code == 200
    body = page(response)
    for field in catalogue.get("relationship-narrative").fields:
        row = re.search(
            rf'<th scope="row">{re.escape(field.label)}.*?</th>\s*<td class="answer">(.*?)</td>',
            body, re.S,
        )
        assert row, field.key
        expected = NARRATIVE[field.key] or "(left blank)"
        assert expected in row.group(1)
    assert "private to you" in body and "Mark reviewed" in body
    assert actions("submission.view") == ["submission.view"]


def test_drafts_stay_with_the_partner_until_sent(w, assign, signed_in):
    assignment = assign(w.clinician, w.couple, "relationship-narrative", target="A")[0]
    draft = services.save_answers(w.a, assignment.id, {"matters": "unfinished"}, submit=False,
                                  shared=False)

    with pytest.raises(NotFound):
        services.get_submission(w.clinician, draft.id)
    assert signed_in(w.clinician).get(f"/exercises/submissions/{draft.id}").status_code == 404


def test_marking_reviewed_and_replying_reach_the_partner(w, assign, signed_in, portal_client):
    s = submit(w.a, assign(w.clinician, w.couple, "relationship-narrative", target="A")[0])
    browser = signed_in(w.clinician)

    reviewed = browser.post(f"/exercises/submissions/{s.id}/review", follow_redirects=True)
    replied = browser.post(f"/exercises/submissions/{s.id}/reply",
                           data={"reply": "Thank you — let's start there on Tuesday."},
                           follow_redirects=True)

    assert "Reviewed" in page(reviewed) and "Mark reviewed" not in page(reviewed)
    assert "Your reply is visible in their portal." in page(replied)
    db.session.expire_all()
    stored = db.session.get(Submission, s.id)
    assert stored.reviewed_by_id == w.clinician.id and stored.assignment.status == "reviewed"
    assert stored.reply == "Thank you — let's start there on Tuesday."
    assert actions("submission.r") == ["submission.review", "submission.reply"]
    partner = portal_client(w.a)
    home = page(partner.get("/portal/"))
    assert "Read by your therapist" in home and "Your therapist replied" in home
    assert "let's start there on Tuesday" in page(partner.get(f"/portal/sent/{s.id}"))


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "Write a reply first."),
    ("Too long. " * 201, "Field cannot be longer than 2000 characters."),
])
def test_a_reply_that_cannot_be_sent_is_explained_and_kept(w, assign, signed_in, text, message):
    s = submit(w.a, assign(w.clinician, w.couple, "relationship-narrative", target="A")[0])

    response = signed_in(w.clinician).post(f"/exercises/submissions/{s.id}/reply", data={"reply": text})

    assert response.status_code == 422
    assert message in page(response)
    if text.strip():
        assert text.strip() in page(response)
    db.session.expire_all()
    assert db.session.get(Submission, s.id).reply is None


def test_a_clinician_of_another_practice_reaches_none_of_it(w, assign, signed_in):
    assignment, untouched = assign(w.clinician, w.couple, "relationship-narrative")
    s = submit(w.a, assignment)
    browser = signed_in(w.outsider)

    assert browser.get(f"/exercises/couples/{w.couple.id}/assign").status_code == 404
    assert browser.post(f"/exercises/couples/{w.couple.id}/assign", data={
        "rows-0-key": "coping-list", "rows-0-pick": "y", "rows-0-target": "A"}).status_code == 404
    assert browser.post(f"/exercises/assignments/{untouched.id}/withdraw").status_code == 404
    assert browser.get(f"/exercises/submissions/{s.id}").status_code == 404
    assert browser.post(f"/exercises/submissions/{s.id}/review").status_code == 404
    assert browser.post(f"/exercises/submissions/{s.id}/reply", data={"reply": "hi"}).status_code == 404
    db.session.expire_all()
    stored = db.session.get(Submission, s.id)
    assert stored.reviewed_at is None and stored.reply is None
    assert db.session.get(Assignment, untouched.id).status == "assigned"
    for fn, arg in ((services.get_assignment, untouched.id), (services.view_submission, s.id),
                    (services.mark_reviewed, s.id)):
        with pytest.raises(NotFound):
            fn(w.outsider, arg)


# --- old submissions keep their prompts --------------------------------------------------------


@pytest.fixture
def new_version(monkeypatch):
    """Publish version 2 of the relationship narrative, with reworded prompts."""
    old = catalogue.get("relationship-narrative")
    v2 = dataclasses.replace(
        old, version=2, title="Your relationship story (revised)",
        fields=tuple(dataclasses.replace(f, label=f"Reworded: {f.label}") for f in old.fields),
    )
    monkeypatch.setitem(catalogue._VERSIONS, (old.key, 2), v2)
    return old, v2


def test_an_old_submission_keeps_its_prompts_when_the_catalogue_changes(
    w, assign, signed_in, portal_client, new_version
):
    old, v2 = new_version
    assignment = services.assign_exercises(
        w.clinician, w.couple.id, [AssignmentRequest(old.key, "A")]
    )[0]
    assert assignment.exercise_version == v2.version == 2  # new work gets the new prompts
    db.session.delete(assignment)
    db.session.commit()
    # An assignment made under version 1, answered and sent.
    legacy = Assignment(
        couple_id=w.couple.id, partner_id=w.a.id, joint=False, exercise_key=old.key,
        exercise_version=1, status="assigned", created_by_id=w.clinician.id,
    )
    db.session.add(legacy)
    db.session.commit()
    s = submit(w.a, legacy)
    assert s.prompts["fields"][0]["label"] == old.fields[0].label
    # Even if version 1 itself were edited in place, what was answered stays as it was.
    edited = dataclasses.replace(old, fields=tuple(
        dataclasses.replace(f, label="EDITED") for f in old.fields))
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(catalogue._VERSIONS, (old.key, 1), edited)
        clinician_view = page(signed_in(w.clinician).get(f"/exercises/submissions/{s.id}"))
        partner_view = page(portal_client(w.a).get(f"/portal/sent/{s.id}"))

    for body in (clinician_view, partner_view):
        assert old.fields[0].label in body and NARRATIVE["matters"] in body
        assert "EDITED" not in body and "Reworded" not in body
    assert "version 1 of the exercise" in clinician_view


def test_a_draft_begun_under_an_old_version_is_finished_with_the_same_prompts(
    w, portal_client, new_version
):
    old, _v2 = new_version
    legacy = Assignment(
        couple_id=w.couple.id, partner_id=w.a.id, joint=False, exercise_key=old.key,
        exercise_version=1, status="assigned", created_by_id=w.clinician.id,
    )
    db.session.add(legacy)
    db.session.commit()

    form = page(portal_client(w.a).get(f"/portal/exercises/{legacy.id}"))

    assert old.fields[0].label in form and "Reworded" not in form


# --- concurrent writes -------------------------------------------------------------------------


def test_a_draft_saved_while_the_other_partner_submits_never_undoes_the_submission(
    app, w, assign, monkeypatch
):
    """Partner B saves a draft of joint work at the moment partner A sends it.

    B's save reads the submission, then (paused here) writes. Without a row lock on the
    assignment, A's submit lands in between and B's write turns the sent work back into a
    draft, out of the clinician's inbox. With the lock A waits for B, then sends.
    """
    import threading

    from clinic.couples.models import Partner

    assignment = assign(w.clinician, w.couple, "listening-practice")[0]
    services.save_answers(w.a, assignment.id, {"understood": "first"}, submit=False, shared=False)
    ids = {"assignment": assignment.id, "a": w.a.id, "b": w.b.id}
    db.session.commit()
    b_has_read, go_on = threading.Event(), threading.Event()
    real_utcnow = services.utcnow

    def pausing_utcnow():
        if threading.current_thread().name == "B" and not go_on.is_set():
            b_has_read.set()
            go_on.wait(10)
        return real_utcnow()

    monkeypatch.setattr(services, "utcnow", pausing_utcnow)
    errors: list[Exception] = []

    def save(partner_key: str, answers: dict, final: bool):
        with app.app_context():
            try:
                partner = db.session.get(Partner, ids[partner_key])
                services.save_answers(partner, ids["assignment"], answers, submit=final, shared=False)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    b = threading.Thread(target=save, name="B", args=("b", {"understood": "B's draft"}, False))
    b.start()
    assert b_has_read.wait(10)
    a = threading.Thread(target=save, name="A", args=(
        "a", {"understood": "A's final", "being_heard": "Good"}, True))
    a.start()
    a.join(1.5)  # without a lock A is done by now; with one it waits for B
    go_on.set()
    b.join(10)
    a.join(10)

    assert errors == []
    db.session.expire_all()
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.state == "submitted"
    assert submission.answers["understood"] == "A's final"
    assert db.session.get(Assignment, ids["assignment"]).status == "submitted"
