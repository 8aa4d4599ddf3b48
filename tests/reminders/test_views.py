"""The reminder switches as people use them: a partner's pause, a clinician's per-couple switch."""

import html

import pytest

from clinic.extensions import db


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def couple(make_user, make_couple):
    return make_couple(make_user(), label="Chen & Wang")


def test_a_partner_pauses_and_resumes_reminders_from_the_portal(couple, portal_client):
    a = couple.partners[0]
    browser = portal_client(a)
    home = page(browser.get("/portal/"))
    assert "Pause reminders" in home and "<title>Your space</title>" in home

    response = browser.post("/portal/reminders", data={"paused": "1"}, follow_redirects=True)

    assert "Reminders are paused." in page(response)
    assert "Turn reminders back on" in page(response)
    db.session.refresh(a)
    assert a.reminders_paused
    browser.post("/portal/reminders", data={"paused": "0"})
    db.session.refresh(a)
    assert not a.reminders_paused


def test_a_partner_without_an_email_is_not_offered_reminders(couple, portal_client):
    assert "Pause reminders" not in page(portal_client(couple.partners[1]).get("/portal/"))


def test_a_bad_pause_post_changes_nothing(couple, portal_client):
    a = couple.partners[0]
    portal_client(a).post("/portal/reminders", data={"paused": "maybe"})

    db.session.refresh(a)
    assert not a.reminders_paused


def test_the_clinician_turns_a_couples_reminders_off_and_sees_who_paused(
    couple, signed_in, portal_client
):
    portal_client(couple.partners[0]).post("/portal/reminders", data={"paused": "1"})
    browser = signed_in(couple.primary_clinician)
    detail = page(browser.get(f"/couples/{couple.id}"))
    assert "Paused by Chen Jing." in detail and "Turn reminders off" in detail

    response = browser.post(f"/reminders/couples/{couple.id}", data={"on": "0"},
                            follow_redirects=True)

    assert "Reminders are off for this couple." in page(response)
    assert "Turn reminders on" in page(response)
    db.session.refresh(couple)
    assert couple.reminders_off


def test_another_clinician_cannot_switch_them(couple, make_user, signed_in):
    other = make_user(couple.primary_clinician.practice)

    response = signed_in(other).post(f"/reminders/couples/{couple.id}", data={"on": "0"})

    assert response.status_code == 404
    db.session.refresh(couple)
    assert not couple.reminders_off
