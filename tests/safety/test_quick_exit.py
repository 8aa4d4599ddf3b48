"""The portal's quick exit, as seen over HTTP: every page has it, it ends the session on the
server, and going back shows the neutral page instead of the portal."""

import html
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db

COOKIE = "clinic_session"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def family(make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    return SimpleNamespace(clinician=clinician, couple=couple, a=a, b=b)


@pytest.mark.parametrize("path", ["/portal/", "/portal/entries", "/portal/add/exception"])
def test_every_portal_page_offers_the_quick_exit(family, portal_client, path):
    page = text(portal_client(family.a).get(path))
    assert 'action="/portal/exit"' in page
    assert ">Quick exit</button>" in page
    assert 'data-away="/today"' in page
    assert "js/quick-exit.js" in page


def test_pages_before_and_after_a_session_offer_it_too(family, client, make_link):
    issued = make_link(family.a)
    assert ">Quick exit</button>" in text(client.get(f"/portal/l/{issued.token}"))
    assert ">Quick exit</button>" in text(client.get("/portal/ended"))


def test_the_quick_exit_ends_the_session_on_the_server_and_hides_the_portal(family, portal_client, app):
    browser = portal_client(family.a)
    copy = app.test_client()
    copy.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)

    response = browser.post("/portal/exit")

    assert response.status_code == 303
    assert response.location == "/today"
    neutral = text(browser.get("/today"))
    assert "Tomato and egg stir-fry" in neutral
    for word in ("portal", "therap", "Chen Jing", "Quick exit", "couple"):
        assert word.lower() not in neutral.lower(), word
    # Back: every portal address, the link's own Continue page included, shows the neutral page.
    for path in ("/portal/", "/portal/entries", f"/portal/l/{browser.token}", "/portal/ended"):
        assert browser.get(path).location == "/today", path
    # A copy of the cookie taken before is refused on the server.
    assert copy.get("/portal/").location == "/portal/ended"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.leave")).one()
    assert (event.actor_partner_id, event.detail) == (family.a.id, {"quick": True})


def test_the_script_sends_a_beacon_and_gets_an_empty_answer(family, portal_client):
    browser = portal_client(family.a)
    response = browser.post("/portal/exit", data={"beacon": "1"})
    assert response.status_code == 204
    assert browser.get("/portal/").location == "/today"


def test_the_neutral_page_speaks_the_partners_language(family, portal_client):
    from clinic.portal.services import set_language

    browser = portal_client(family.a)
    set_language(family.a, "zh_Hans")
    browser.post("/portal/exit")
    assert "西红柿炒鸡蛋" in text(browser.get("/today"))


@pytest.mark.config(QUICK_EXIT_HIDE_SECONDS=0)
def test_after_the_hiding_time_the_link_opens_again(family, portal_client):
    browser = portal_client(family.a)
    browser.post("/portal/exit")
    time.sleep(1.1)
    assert browser.get("/portal/").location == "/portal/ended"
    assert browser.get(f"/portal/l/{browser.token}").status_code == 200


@pytest.mark.config(QUICK_EXIT_URL="https://weather.example.net/")
def test_a_practice_can_name_its_own_everyday_site(family, portal_client):
    browser = portal_client(family.a)
    assert 'data-away="https://weather.example.net/"' in text(browser.get("/portal/"))
    assert browser.post("/portal/exit").location == "https://weather.example.net/"


def test_quick_exit_without_a_session_still_answers(client):
    assert client.post("/portal/exit").location == "/today"
    assert client.get("/portal/").location == "/today"
