"""Work the case studies do together can be given to the couple together: reading their history
for exceptions side by side (spotting patterns), agreeing an experiment, looking back on it. The
clinician still may give it to each partner on their own; exercises that are one partner's own
(the running records, the coping list) are never offered "together"."""

import html
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.exercises import catalogue
from clinic.exercises.models import Assignment, Submission
from clinic.extensions import db

TOGETHER_OR_EACH = ("pattern-recognition", "micro-experiment", "commitment-experiment", "feedback-loop")


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def targets_offered(body: str, key: str) -> list[str]:
    row = body[body.index(f'id="pick-{key}"'):]
    row = row[:row.index("</fieldset>")]
    return re.findall(r'<option[^>]*value="([^"]+)"', row)


@pytest.fixture
def couple(make_practice, make_user, make_couple):
    clinician = make_user(make_practice())
    couple = make_couple(clinician, label="The Riverside couple", stage=4)
    return SimpleNamespace(id=couple.id, clinician=clinician, partners=couple.partners, couple=couple)


def test_the_catalogue_marks_shared_work_as_possible_together_and_records_never():
    for key in TOGETHER_OR_EACH:
        assert catalogue.get(key).can_be_joint and not catalogue.get(key).is_joint, key
    for key in ("exception-log", "scale-placement", "coping-list", "value-ranking"):
        assert not catalogue.get(key).can_be_joint, key


def test_the_assign_page_offers_together_only_where_it_makes_sense(couple, signed_in):
    body = page(signed_in(couple.clinician).get(f"/exercises/couples/{couple.id}/assign"))

    for key in TOGETHER_OR_EACH:
        assert set(targets_offered(body, key)) == {"each", "A", "B", "joint"}, key
    assert targets_offered(body, "listening-practice") == ["joint"]
    for key in ("exception-log", "coping-list", "exception-deep-description"):
        assert "joint" not in targets_offered(body, key), key


def test_both_partners_see_and_answer_a_pattern_search_given_together(
    couple, signed_in, portal_client
):
    clinician = signed_in(couple.clinician)
    response = clinician.post(f"/exercises/couples/{couple.id}/assign", data={
        "rows-0-key": "pattern-recognition", "rows-0-pick": "y", "rows-0-target": "joint",
        "rows-0-note": "Read your logs side by side",
    })
    assert response.status_code == 302
    assignment = db.session.scalars(sa.select(Assignment)).one()
    assert assignment.joint and assignment.partner_id is None

    a, b = couple.partners
    url = f"/portal/exercises/{assignment.id}"
    a_browser, b_browser = portal_client(a), portal_client(b)
    for browser in (a_browser, b_browser):
        assert url in page(browser.get("/portal/"))
        assert "You do this one together" in page(browser.get(url))

    words = {"a-conditions": "After one of us makes a small kind gesture"}
    assert a_browser.post(url, data={**words, "action": "draft"}).status_code == 302
    assert "After one of us makes a small kind gesture" in page(b_browser.get(url))
    assert b_browser.post(url, data={**words, "a-clue": "Tea on the desk", "action": "submit"}
                          ).status_code == 302

    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.state == "submitted"
    for browser in (a_browser, b_browser):
        sent = page(browser.get(f"/portal/sent/{submission.id}"))
        assert "Tea on the desk" in sent


def test_the_same_exercise_can_still_go_to_each_partner_on_their_own(couple, assign):
    created = assign(couple.clinician, couple.couple, "micro-experiment", target="each")
    assert [a.joint for a in created] == [False, False]
