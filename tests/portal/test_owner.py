"""The portal names whose it is: the practice and the therapist, but only after the exchange."""

import html

import pytest


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def couple(make_practice, make_user, make_couple):
    practice = make_practice("Harbour Lane Couples Practice")
    therapist = make_user(practice, name="Mei Lin")
    return make_couple(therapist)


def test_the_continue_page_names_nobody_and_the_home_page_names_practice_and_therapist(
    couple, client, make_link
):
    issued = make_link(couple.partners[0])

    welcome = text(client.get(f"/portal/l/{issued.token}"))
    assert "Harbour Lane" not in welcome and "Mei Lin" not in welcome
    assert "Continue" in welcome

    assert client.post("/portal/continue", data={"token": issued.token}).status_code == 302
    home = text(client.get("/portal/"))
    assert "Harbour Lane Couples Practice" in home
    assert "Mei Lin" in home
    # Every page after the exchange says whose space it is (the header).
    assert "Harbour Lane Couples Practice · with Mei Lin" in text(client.get("/portal/entries"))


def test_a_refused_link_names_nobody(couple, client):
    refused = client.post("/portal/continue", data={"token": "x" * 43})

    assert refused.status_code == 404
    assert "Harbour Lane" not in text(refused) and "Mei Lin" not in text(refused)


def test_the_other_practices_partner_sees_their_own_owner(
    couple, make_practice, make_user, make_couple, portal_client
):
    elsewhere = make_couple(make_user(make_practice("Riverside Practice"), name="Ada Park"))

    home = text(portal_client(elsewhere.partners[1]).get("/portal/"))

    assert "Riverside Practice" in home and "Ada Park" in home
    assert "Harbour Lane" not in home and "Mei Lin" not in home
