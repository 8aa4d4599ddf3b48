"""Picking from one's own record in the portal: "Looking closely at good moments" offers three to
five of the partner's own exception-log entries as checkboxes to describe, and "Commitment &
experiment" the actions of their own action menu beside their own words. Only that partner's own
entries and actions are offered; a bad pick is refused beside the field with nothing lost; the
clinician sees what was picked with the submission."""

import html
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.exercises.models import Submission
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.records.models import ExceptionEntry
from clinic.records.services import add_in_session

DAYS = ["2026-10-01", "2026-10-03", "2026-10-05", "2026-10-07"]


@pytest.fixture
def family(make_practice, make_user, make_couple):
    couple = make_couple(make_user(make_practice()), a="Zhao Lei", b="Zhou Ting")
    return SimpleNamespace(couple=couple, a=couple.partners[0], b=couple.partners[1],
                           clinician=couple.primary_clinician)


@pytest.fixture
def logs(family):
    """Four moments in Zhao Lei's log; one in Zhou Ting's, which she shared."""
    own = [
        add_in_session(family.clinician, family.couple.id, family.a.id, "exception",
                       {"date": day, "context": f"Moment {n}: we cooked together"}, shared=False)
        for n, day in enumerate(DAYS, start=1)
    ]
    theirs = add_in_session(family.clinician, family.couple.id, family.b.id, "exception",
                            {"date": DAYS[0], "context": "Zhou Ting's own walk by the river"}, shared=False)
    db.session.execute(sa.update(ExceptionEntry).where(ExceptionEntry.id == theirs.id)
                       .values(shared_with_partner=True))
    db.session.commit()
    return SimpleNamespace(own=[e.id for e in own], theirs=theirs.id)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _deep(picked, **more) -> dict:
    data = {"a-moments": [str(i) for i in picked], "sharing": "private", "action": "submit"}
    for entry_id in picked:
        data[f"a-moments-{entry_id}-context"] = f"At home, entry {entry_id}"
    data.update(more)
    return data


def test_deep_description_offers_only_the_partners_own_entries_as_checkboxes(
    family, logs, assign, portal_client,
):
    [assignment] = assign(family.clinician, family.couple, "exception-deep-description", target="A")

    body = _text(portal_client(family.a).get(f"/portal/exercises/{assignment.id}"))

    boxes = re.findall(r'<input type="checkbox" name="a-moments" value="(\d+)"', body)
    assert sorted(int(b) for b in boxes) == sorted(logs.own)
    assert "Moment 1: we cooked together" in body and "Choose 3 to 5." in body
    assert "walk by the river" not in body  # shared with them, but not theirs to pick


def test_two_moments_are_refused_beside_the_field_and_what_was_written_stays(
    family, logs, assign, portal_client,
):
    [assignment] = assign(family.clinician, family.couple, "exception-deep-description", target="A")
    browser = portal_client(family.a)

    response = browser.post(f"/portal/exercises/{assignment.id}", data=_deep(
        logs.own[:2], **{f"a-moments-{logs.own[2]}-body": "Warm, unticked but written"}))

    assert response.status_code == 422
    body = _text(response)
    assert re.search(r'id="a-moments-error">Please choose at least 3 moments — you have chosen 2 so far.',
                     body)
    for entry_id in logs.own[:2]:
        assert re.search(rf'value="{entry_id}" id="a-moments-{entry_id}" checked', body)
        assert f"At home, entry {entry_id}" in body
    assert "Warm, unticked but written" in body
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_another_partners_entry_cannot_be_picked(family, logs, assign, portal_client):
    [assignment] = assign(family.clinician, family.couple, "exception-deep-description", target="A")

    response = portal_client(family.a).post(
        f"/portal/exercises/{assignment.id}", data=_deep([*logs.own[:3], logs.theirs]))

    assert response.status_code == 422
    assert "Please choose only from the list shown here." in _text(response)
    assert "walk by the river" not in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_the_clinician_sees_the_picked_entries_with_the_submission(
    family, logs, assign, portal_client, signed_in,
):
    [assignment] = assign(family.clinician, family.couple, "exception-deep-description", target="A")

    sent = portal_client(family.a).post(f"/portal/exercises/{assignment.id}", data=_deep(logs.own[:3]))

    assert sent.status_code == 302
    submission = db.session.scalars(sa.select(Submission)).one()
    assert [g["pick"] for g in submission.answers["moments"]] == [str(i) for i in sorted(logs.own[:3],
                                                                                         reverse=True)]
    page = _text(signed_in(family.clinician).get(f"/exercises/submissions/{submission.id}"))
    assert page.count("Picked from their exception log:") == 3
    assert "Moment 1: we cooked together" in page and "At home, entry" in page
    assert "Moment 4" not in page


def _send_menu(partner, actions):
    from clinic.exercises.models import Assignment

    assignment = db.session.scalars(sa.select(Assignment).where(
        Assignment.partner_id == partner.id, Assignment.exercise_key == "action-menu")).one()
    save_answers(partner, assignment.id, {"actions": actions}, submit=True, shared=False)


def test_commitment_offers_the_partners_own_action_menu_and_their_own_words(
    family, assign, portal_client, signed_in,
):
    assign(family.clinician, family.couple, "action-menu", target="each")
    _send_menu(family.a, [f"Zhao's action {n}" for n in range(1, 11)])
    _send_menu(family.b, [f"Zhou's action {n}" for n in range(1, 11)])
    [assignment] = assign(family.clinician, family.couple, "commitment-experiment", target="A")
    browser = portal_client(family.a)

    body = _text(browser.get(f"/portal/exercises/{assignment.id}"))
    assert body.count('name="a-from_menu"') == 10 and "Zhao's action 7" in body
    assert "Zhou's action" not in body
    assert 'name="a-experiments-0-action"' in body  # their own words, beside the menu

    nothing = browser.post(f"/portal/exercises/{assignment.id}", data={"action": "submit",
                                                                        "sharing": "private"})
    assert nothing.status_code == 422
    assert "Please choose one from your list, or write your own below." in _text(nothing)

    key = re.search(r'value="(m[0-9a-f]+)" id="a-from_menu-\1"[^>]*>\s*<label[^>]*>Zhao\'s action 7<',
                    body).group(1)
    sent = browser.post(f"/portal/exercises/{assignment.id}", data={
        "action": "submit", "sharing": "private", "a-from_menu": key,
        f"a-from_menu-{key}-hope_to_learn": "Whether a short walk eases the evening",
        f"a-from_menu-{key}-how_know": "We talk after dinner",
    })
    assert sent.status_code == 302
    submission = db.session.scalars(sa.select(Submission).where(
        Submission.exercise_key == "commitment-experiment")).one()
    assert submission.answers["from_menu"] == [{
        "pick": key, "label": "Zhao's action 7",
        "hope_to_learn": "Whether a short walk eases the evening", "how_know": "We talk after dinner",
    }]
    page = _text(signed_in(family.clinician).get(f"/exercises/submissions/{submission.id}"))
    assert "Picked from their action menu:" in page and "Zhao's action 7" in page


def test_commitment_without_a_menu_takes_their_own_words(family, assign, portal_client):
    [assignment] = assign(family.clinician, family.couple, "commitment-experiment", target="A")
    browser = portal_client(family.a)

    body = _text(browser.get(f"/portal/exercises/{assignment.id}"))
    sent = browser.post(f"/portal/exercises/{assignment.id}", data={
        "action": "submit", "sharing": "private", "a-experiments-0-action": "Phone-free dinner",
        "a-experiments-0-hope_to_learn": "If we talk more", "a-experiments-0-how_know": "We will notice",
    })

    assert "You have not sent an action menu yet" in body
    assert sent.status_code == 302
