"""Caseload and couple pages as a clinician, an owner and a supervisor see them."""

import html
import re

import pytest
import sqlalchemy as sa

from clinic.couples.models import Couple
from clinic.extensions import db
from clinic.timeutil import utcnow

STAGE_TITLES = {
    1: "Partnership building", 2: "Resource identification", 3: "Vision clarification",
    4: "Exception amplification", 5: "Action construction", 6: "Consolidation & maintenance",
}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def today() -> str:
    now = utcnow()
    return f"{now.day} {now:%b %Y}"


def caseload_labels(response) -> list[str]:
    """The case labels in the caseload table, in the order shown."""
    return re.findall(r'<th scope="row"><a href="/couples/\d+">([^<]+)</a></th>', page(response))


def _new_couple_form(label="Chen & Wang", **extra) -> dict:
    data = {
        "case_label": label, "current_stage": "2",
        "partner_a-name": "Chen Jing", "partner_a-preferred_name": "Jing",
        "partner_a-pronouns": "she/her", "partner_a-email": "jing@example.org",
        "partner_b-name": "Wang Hao",
    }
    data.update(extra)
    return data


# --- The caseload -------------------------------------------------------------------------------


def test_a_clinician_sees_only_their_own_caseload(client, login, make_user, make_couple):
    c1 = make_user()
    c2 = make_user(practice=c1.practice)
    make_couple(c1, label="Chen & Wang")
    make_couple(c2, label="Zhao & Zhou")
    login(c1)

    response = client.get("/couples/")

    assert response.status_code == 200
    assert caseload_labels(response) == ["Chen & Wang"]
    assert "Zhao & Zhou" not in page(response)


def test_an_owner_sees_the_whole_practice_but_not_another(client, login, make_user, make_couple):
    owner = make_user(role="owner")
    c1 = make_user(practice=owner.practice)
    make_couple(c1, label="Chen & Wang")
    make_couple(owner, label="Liu & Sun")
    make_couple(make_user(), label="Another practice's couple")
    login(owner)

    response = client.get("/couples/")

    assert sorted(caseload_labels(response)) == ["Chen & Wang", "Liu & Sun"]
    assert "Another practice" not in page(response)


def test_a_supervisor_sees_no_chart(client, login, make_user, make_couple):
    supervisor = make_user(role="supervisor")
    couple = make_couple(make_user(practice=supervisor.practice), label="Chen & Wang")
    login(supervisor)

    for path in ("/couples/", f"/couples/{couple.id}", "/couples/new",
                 f"/couples/{couple.id}/edit"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in page(response)
        assert "Chen" not in page(response)
    assert 'href="/couples/"' not in page(client.get("/practice/"))  # no Caseload link either


def test_an_empty_caseload_invites_to_add_a_couple(client, login, make_user):
    login(make_user())

    assert "No couples yet. Add the first one." in page(client.get("/couples/"))


@pytest.fixture
def three_couples(make_user, make_couple):
    from clinic.couples.services import change_status, move_stage

    clinician = make_user()
    chen = make_couple(clinician, label="Chen & Wang", a="Chen Jing", b="Wang Hao")
    zhao = make_couple(clinician, label="Zhao & Zhou", a="Zhao Lei", b="Zhou Ting", stage=4)
    make_couple(clinician, label="Liu & Sun", a="Liu Jia", b="Sun Wei", stage=5)
    change_status(clinician, zhao.id, "paused")
    move_stage(clinician, chen.id, 2)  # Chen & Wang: the most recent activity
    return clinician


def test_caseload_is_sorted_by_last_activity(client, login, three_couples):
    login(three_couples)

    response = client.get("/couples/")

    assert caseload_labels(response) == ["Chen & Wang", "Zhao & Zhou", "Liu & Sun"]
    body = page(response)
    assert "Jing & Wang Hao" in body  # partners shown by the name they go by
    assert "5. Action construction" in body and "Paused" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "zhou"}, ["Zhao & Zhou"]),
        ({"q": "Sun Wei"}, ["Liu & Sun"]),
        ({"q": "jing"}, ["Chen & Wang"]),
        ({"stage": "5"}, ["Liu & Sun"]),
        ({"status": "paused"}, ["Zhao & Zhou"]),
        ({"q": "", "stage": "", "status": "active"}, ["Chen & Wang", "Liu & Sun"]),
        ({"q": "u", "stage": "5", "status": "active"}, ["Liu & Sun"]),
    ],
)
def test_caseload_search_and_filters(client, login, three_couples, query, expected):
    login(three_couples)

    response = client.get("/couples/", query_string=query)

    assert response.status_code == 200
    assert caseload_labels(response) == expected


def test_a_search_without_results_says_so(client, login, three_couples):
    login(three_couples)

    body = page(client.get("/couples/", query_string={"q": "nobody"}))

    assert "No couples match these filters." in body
    assert 'href="/couples/">Clear</a>' in body


@pytest.mark.config(CASELOAD_PAGE_SIZE=2)
def test_caseload_is_paginated_and_keeps_the_filters(client, login, three_couples):
    login(three_couples)

    first = client.get("/couples/")
    second = client.get("/couples/", query_string={"page": 2})

    assert caseload_labels(first) == ["Chen & Wang", "Zhao & Zhou"]
    assert "Page 1 of 2" in page(first)
    assert caseload_labels(second) == ["Liu & Sun"]
    assert "Page 2 of 2" in page(second)
    filtered = page(client.get("/couples/", query_string={"q": "&", "status": "active"}))
    assert "Page 1 of 1" not in filtered  # two active couples fit on one page
    next_link = re.search(r'href="([^"]+)">Next</a>', page(first)).group(1)
    assert "page=2" in next_link


# --- Adding and editing ------------------------------------------------------------------------


def test_add_a_couple(client, login, make_user):
    clinician = make_user()
    login(clinician)
    assert "Add a couple" in page(client.get("/couples/new"))

    response = client.post("/couples/new", data=_new_couple_form(), follow_redirects=True)

    assert response.status_code == 200
    body = page(response)
    assert "Chen & Wang is on your caseload." in body
    assert "Stage 2: Resource identification" in body
    assert "Chen Jing" in body and "Wang Hao" in body and "she/her" in body
    couple = db.session.scalars(sa.select(Couple)).one()
    assert response.request.path == f"/couples/{couple.id}"


def test_adding_a_couple_with_missing_fields_keeps_what_was_typed(client, login, make_user):
    login(make_user())

    response = client.post("/couples/new", data=_new_couple_form(label="", **{"partner_b-name": ""}))

    assert response.status_code == 200
    body = page(response)
    assert "Please check the highlighted fields below" in body
    assert "This field is required." in body
    assert 'value="Chen Jing"' in body
    assert db.session.scalar(sa.select(sa.func.count(Couple.id))) == 0


def test_posted_practice_and_clinician_are_ignored_for_a_clinician(client, login, make_user):
    c1 = make_user()
    c2 = make_user(practice=c1.practice)
    elsewhere = make_user(role="owner")
    login(c1)

    client.post("/couples/new", data=_new_couple_form(
        practice_id=str(elsewhere.practice_id), primary_clinician_id=str(c2.id),
    ))

    couple = db.session.scalars(sa.select(Couple)).one()
    assert (couple.practice_id, couple.primary_clinician_id) == (c1.practice_id, c1.id)


def test_an_owner_adds_a_couple_for_a_clinician(client, login, make_user):
    owner = make_user(role="owner")
    c1 = make_user(practice=owner.practice, name="Sam Okafor")
    login(owner)

    response = client.post(
        "/couples/new", data=_new_couple_form(primary_clinician_id=str(c1.id)),
        follow_redirects=True,
    )

    assert "Clinician: Sam Okafor" in page(response)
    login(c1, target=(c1_client := client.application.test_client()))
    assert caseload_labels(c1_client.get("/couples/")) == ["Chen & Wang"]


def test_an_owner_cannot_assign_a_clinician_of_another_practice(client, login, make_user):
    owner = make_user(role="owner")
    stranger = make_user()
    login(owner)

    response = client.post("/couples/new", data=_new_couple_form(primary_clinician_id=str(stranger.id)))

    assert response.status_code == 200
    assert "Choose a clinician of this practice." in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Couple.id))) == 0


def test_the_edit_page_shows_the_current_details(client, login, make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician, label="Old label", a="Chen Jing")
    login(clinician)

    form = page(client.get(f"/couples/{couple.id}/edit"))

    assert "Edit Old label" in form
    assert 'value="Old label"' in form and 'value="Chen Jing"' in form
    assert 'name="current_stage"' not in form  # stage moves have their own form


def test_edit_a_couple(client, login, make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician, label="Old label", a="Chen Jing")
    login(clinician)

    response = client.post(
        f"/couples/{couple.id}/edit",
        data=_new_couple_form(label="Chen & Wang", **{"partner_b-pronouns": "he/him"}),
        follow_redirects=True,
    )

    body = page(response)
    assert "Saved." in body
    assert "<h1>Chen & Wang</h1>" in body and "he/him" in body
    assert db.session.get(Couple, couple.id).current_stage == 1  # stage moves have their own form


# --- Stage and status, with their history ------------------------------------------------------


def test_moving_the_stage_shows_it_in_the_history_with_who_and_when(
    client, login, make_user, make_couple
):
    clinician = make_user(name="Ana Ruiz")
    couple = make_couple(clinician, stage=1)
    login(clinician)

    response = client.post(f"/couples/{couple.id}/stage", data={"stage": "3"}, follow_redirects=True)

    body = page(response)
    assert response.request.path == f"/couples/{couple.id}"
    assert "Moved to stage 3." in body
    assert f"Stage 3: {STAGE_TITLES[3]}" in body
    history = re.search(r'<ol class="history">(.*?)</ol>', body, re.S).group(1)
    entries = [" ".join(e.split()) for e in re.findall(r"<li>(.*?)</li>", history, re.S)]
    assert entries == [
        f"<strong>Stage 1: {STAGE_TITLES[1]}</strong> — from {today()}, by Ana Ruiz",
        f"<strong>Stage 3: {STAGE_TITLES[3]}</strong> — from {today()}, by Ana Ruiz",
    ]


@pytest.mark.parametrize(("stage", "message"), [
    ("1", "The couple is already in this stage."),
    ("9", "Choose a stage from 1 to 6."),
    ("", "Choose a stage from 1 to 6."),
])
def test_refused_stage_moves_say_why(client, login, make_user, make_couple, stage, message):
    clinician = make_user()
    couple = make_couple(clinician, stage=1)
    login(clinician)

    response = client.post(
        f"/couples/{couple.id}/stage", data={"stage": stage}, follow_redirects=True
    )

    assert message in page(response)
    assert db.session.get(Couple, couple.id).current_stage == 1


def test_changing_the_status_shows_it_with_who_and_when(client, login, make_user, make_couple):
    owner = make_user(role="owner", name="Mei Lin")
    couple = make_couple(make_user(practice=owner.practice))
    login(owner)
    assert f"Active since {today()}." in page(client.get(f"/couples/{couple.id}"))

    response = client.post(
        f"/couples/{couple.id}/status", data={"status": "paused"}, follow_redirects=True
    )

    body = page(response)
    assert "The couple is now paused." in body
    assert f"Active → Paused on {today()}, by Mei Lin" in body
    again = client.post(
        f"/couples/{couple.id}/status", data={"status": "paused"}, follow_redirects=True
    )
    assert "The couple is already paused." in page(again)
    wrong = client.post(
        f"/couples/{couple.id}/status", data={"status": "archived"}, follow_redirects=True
    )
    assert "Choose active, paused or closed." in page(wrong)
    assert db.session.get(Couple, couple.id).status == "paused"


def test_an_unknown_couple_is_not_found(client, login, make_user):
    login(make_user(role="owner"))

    response = client.get("/couples/424242")

    assert response.status_code == 404
    assert "There is nothing here, or it is not yours to see." in page(response)
