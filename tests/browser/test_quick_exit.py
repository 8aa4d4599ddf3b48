"""The quick exit on a phone: the button and Escape twice leave for the neutral page, the
server ends the portal session, and Back does not return to the portal."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def couple_id(make_user, make_couple, settle_db):
    from clinic.exercises.services import AssignmentRequest, assign_exercises

    clinician = make_user(role="clinician")
    couple = make_couple(clinician, label="Chen & Wang")
    assign_exercises(clinician, couple.id, [AssignmentRequest("miracle-question", "each")])
    couple_id = couple.id
    settle_db()
    return couple_id


def _into_portal(page, link):
    page.goto(link)
    page.get_by_role("button", name="Continue").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.get_by_role("link", name=re.compile("The miracle question")).tap()
    expect(page.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()
    # The heading shows before the page's scripts have run; a person reads before pressing keys,
    # the test waits for the load event (the quick-exit script is attached by then).
    page.wait_for_load_state("load")


def _gone_from_the_portal(page):
    expect(page).to_have_url(re.compile(r"/today$"))
    expect(page.get_by_role("heading", level=1, name="Tomato and egg stir-fry")).to_be_visible()
    # Back, as far as the tab goes: never a portal page, not even its Continue page.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        assert "/portal" not in page.url or page.url.endswith("/today"), page.url
        expect(page.get_by_text("The miracle question")).to_have_count(0)
        expect(page.get_by_text("Chen Jing")).to_have_count(0)


def test_the_quick_exit_button_on_a_phone(live_server, couple_id, portal_link, phone_context, check_page):
    page = phone_context().new_page()
    _into_portal(page, portal_link(couple_id, "A"))
    button = page.get_by_role("button", name="Quick exit")
    expect(button).to_be_in_viewport()
    check_page(page, "portal-quick-exit")

    button.tap()

    _gone_from_the_portal(page)
    # The session ended on the server: the portal itself now shows nothing of the partner.
    page.goto("/portal/entries")
    expect(page).to_have_url(re.compile(r"/today$"))


def test_escape_twice_leaves_too(live_server, couple_id, portal_link, phone_context):
    page = phone_context().new_page()
    _into_portal(page, portal_link(couple_id, "B"))
    page.get_by_label(re.compile("first small sign")).fill("Something I would rather nobody read")

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    _gone_from_the_portal(page)


def test_one_escape_alone_does_nothing(live_server, couple_id, portal_link, phone_context):
    page = phone_context().new_page()
    _into_portal(page, portal_link(couple_id, "A"))
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()
