"""The partner portal on a phone: a link made in the clinician's UI, exercises, entries, privacy."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.records.models import ExceptionEntry

pytestmark = pytest.mark.browser

MIRACLE = {
    "first_sign": "The kettle is already on when I come down.",
    "i_do": "I say good morning before checking my phone.",
    "partner_does": "Hao asks how I slept and waits for the answer.",
    "together": "We laugh about the cat before work.",
    "miracle_day": "Breakfast together, a message at lunch, a walk after dinner.",
}
MY_LOG = re.compile(r"^My (log|progress)$")  # the partner's own entries page, portal.entries
PRIVATE_MOMENT = "At dinner we planned the weekend without one argument."


@pytest.fixture
def couple(make_user, make_couple, settle_db):
    """A clinician's couple (Chen Jing = A, Wang Hao = B) with the miracle question for each."""
    from clinic.exercises.services import AssignmentRequest, assign_exercises

    clinician = make_user(role="clinician")
    couple = make_couple(clinician, label="Chen & Wang")
    assign_exercises(clinician, couple.id, [AssignmentRequest("miracle-question", "each")])
    info = {"email": clinician.email, "id": couple.id}
    settle_db()
    return info


def make_link(page, partner_name: str) -> str:
    """On the couple page, press "Make a link" for one partner and read the link shown once."""
    page.get_by_role("button", name=f"Make a link for {partner_name}").click()
    expect(page.get_by_role("heading", name=f"{partner_name}'s personal link")).to_be_visible()
    link = page.get_by_label(f"Personal link for {partner_name}").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/portal/l/[\w-]{20,}", link), link
    page.go_back()
    return link


def open_portal(page, link: str, check_page=None):
    page.goto(link)
    if check_page:
        check_page(page, "portal-continue")
    page.get_by_role("button", name="Continue").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_a_partner_works_through_the_portal_on_a_phone(
    live_server, couple, desktop_context, phone_context, sign_in, check_page
):
    # The clinician makes both partners' links in the couple page.
    clinic = desktop_context().new_page()
    sign_in(clinic, couple["email"])
    clinic.goto(f"/couples/{couple['id']}")
    link_a = make_link(clinic, "Chen Jing")
    link_b = make_link(clinic, "Wang Hao")
    assert link_a != link_b

    # Partner A, on a phone: Continue, then home.
    page = phone_context().new_page()
    open_portal(page, link_a, check_page)
    expect(page.get_by_text("Hello, Chen Jing")).to_be_visible()
    task = page.get_by_role("link", name=re.compile("The miracle question"))
    expect(task).to_be_visible()
    check_page(page, "portal-home")

    # A first answer, saved as a draft.
    task.click()
    expect(page.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()
    check_page(page, "portal-exercise")
    first = page.get_by_label(re.compile("first small sign"))
    first.fill(MIRACLE["first_sign"])
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()

    # Away and back: the draft is there.
    page.get_by_role("link", name="Home").click()
    expect(task).to_contain_text("Draft saved")
    task.click()
    expect(first).to_have_value(MIRACLE["first_sign"])

    # The rest, then sent.
    page.get_by_label("What are you doing differently?").fill(MIRACLE["i_do"])
    page.get_by_label("What is your partner doing differently?").fill(MIRACLE["partner_does"])
    page.get_by_label("How are the two of you with each other?").fill(MIRACLE["together"])
    page.get_by_label(re.compile("Walk through that whole day")).fill(MIRACLE["miracle_day"])
    page.get_by_role("button", name="Send to my therapist").click()
    expect(page.get_by_role("status").filter(has_text="Sent to your therapist")).to_be_visible()
    done = page.get_by_role("region", name="Done").get_by_role("link", name=re.compile("miracle"))
    done.click()
    expect(page.get_by_text(MIRACLE["miracle_day"])).to_be_visible()
    expect(page.get_by_text("Only your therapist can read this")).to_be_visible()
    check_page(page, "portal-sent")

    # An exception entry, kept private.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Note a moment that went differently").click()
    check_page(page, "portal-add-exception")
    page.get_by_label("When was it?").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_label("What was different about the situation?").fill(PRIVATE_MOMENT)
    expect(page.get_by_label("Only my therapist")).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Added to your exception log")).to_be_visible()

    # A scale placement, shared with the partner.
    page.get_by_role("link", name="Place myself on the scale").click()
    check_page(page, "portal-add-scale")
    page.get_by_label("6", exact=True).check()
    page.get_by_label("If you moved up one point, what is the first difference you would notice?").fill(
        "We would cook together on a weekday."
    )
    page.get_by_label("My therapist and my partner").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your place on the scale is saved")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/portal/entries$"))
    expect(page.get_by_text(PRIVATE_MOMENT)).to_be_visible()
    expect(page.locator(".entry").filter(has_text="6 / 10")).to_contain_text("Shared with your partner")
    check_page(page, "portal-my-log")

    # Partner B, on another phone, sees A's shared placement but never A's private moment.
    page_b = phone_context().new_page()
    open_portal(page_b, link_b)
    expect(page_b.get_by_text("Hello, Wang Hao")).to_be_visible()
    page_b.get_by_role("navigation", name="Your space").get_by_role("link", name=MY_LOG).click()
    expect(page_b.get_by_role("heading", level=1, name=MY_LOG)).to_be_visible()
    expect(page_b.get_by_text("6 / 10 · from your partner")).to_be_visible()
    expect(page_b.get_by_text("No moments yet")).to_be_visible()
    assert PRIVATE_MOMENT not in page_b.content()
    check_page(page_b, "portal-partner-log")

    # B leaves; the page says so.
    page_b.get_by_role("button", name="Leave (sign out on this phone)").click()
    expect(page_b).to_have_url(re.compile(r"/portal/ended"))
    check_page(page_b, "portal-ended")


def _focus_is_visible(page) -> dict:
    return page.evaluate(
        """() => {
             const el = document.activeElement;
             const style = getComputedStyle(el);
             return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                     text: (el.innerText || el.value || '').trim().slice(0, 40),
                     outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
           }"""
    )


def tab_to(page, predicate, limit: int = 40) -> dict:
    """Press Tab until the focused element matches; every stop must show where the focus is."""
    def identity(f):
        return f["tag"], f["id"], f["name"]

    previous = identity(_focus_is_visible(page))
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focus_is_visible(page)
        # A second stop on the same element is a native control's inner part (the date input's
        # calendar button), which draws its own focus ring that the page's CSS cannot see.
        if identity(focused) != previous:
            assert focused["outline"] != "none" and focused["width"] > 0, f"focus not visible on {focused}"
        if predicate(focused):
            return focused
        previous = identity(focused)
    raise AssertionError("never reached the element with Tab")


def test_the_exception_form_works_with_the_keyboard_alone(
    live_server, app, couple, portal_link, phone_context
):
    link = portal_link(couple["id"], "A")
    page = phone_context(locale="en-US").new_page()
    page.goto(link)
    tab_to(page, lambda f: f["text"] == "Continue")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/$"))

    tab_to(page, lambda f: f["text"] == "Note a moment that went differently")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="A moment that went differently")).to_be_visible()

    day = date.today() - timedelta(days=3)
    tab_to(page, lambda f: f["id"] == "a-date")
    page.keyboard.type(day.strftime("%m%d%Y"))
    tab_to(page, lambda f: f["id"] == "a-context")
    page.keyboard.type("I asked for help with the shopping instead of sulking.")
    tab_to(page, lambda f: f["id"] == "a-behaviour")
    page.keyboard.type("Said it plainly.")
    radio = tab_to(page, lambda f: f["name"] == "sharing")
    assert radio["id"] == "sharing-0"  # the checked one: "Only my therapist"
    tab_to(page, lambda f: f["text"] == "Save")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Added to your exception log")).to_be_visible()
    entry = page.locator(".entry").filter(has_text="instead of sulking")
    expect(entry).to_contain_text("Only your therapist")
    expect(entry).to_contain_text("Said it plainly.")
    with app.app_context():  # a fresh session: nothing cached from before the browser's posts
        row = db.session.scalar(sa.select(ExceptionEntry))
        assert (row.occurred_on, row.shared_with_partner) == (day, False)


def test_the_exercise_form_works_with_the_keyboard_alone(live_server, couple, portal_link, phone_context):
    page = phone_context().new_page()
    page.goto(portal_link(couple["id"], "A"))
    tab_to(page, lambda f: f["text"] == "Continue")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/$"))

    tab_to(page, lambda f: f["text"].startswith("The miracle question"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()

    # Two answers, then Tab on (past "Send to my therapist") to "Save draft" and Enter.
    tab_to(page, lambda f: f["id"] == "a-first_sign")
    page.keyboard.type(MIRACLE["first_sign"])
    tab_to(page, lambda f: f["id"] == "a-i_do")
    page.keyboard.type(MIRACLE["i_do"])
    tab_to(page, lambda f: f["text"] == "Save draft")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    expect(page.get_by_label(re.compile("first small sign"))).to_have_value(MIRACLE["first_sign"])
    expect(page.get_by_label("What are you doing differently?")).to_have_value(MIRACLE["i_do"])

    # The rest from the keyboard, the privacy choice with the arrow keys, then sent with Enter.
    for key in ("partner_does", "together", "miracle_day"):
        tab_to(page, lambda f, key=key: f["id"] == f"a-{key}")
        page.keyboard.type(MIRACLE[key])
    radio = tab_to(page, lambda f: f["name"] == "sharing")
    assert radio["id"] == "sharing-0"  # the checked one: "Only my therapist"
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("My therapist and my partner")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Only my therapist")).to_be_checked()
    tab_to(page, lambda f: f["text"] == "Send to my therapist")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Sent to your therapist")).to_be_visible()
    page.get_by_role("region", name="Done").get_by_role("link", name=re.compile("miracle")).click()
    expect(page.get_by_text(MIRACLE["miracle_day"])).to_be_visible()
    expect(page.get_by_text("Only your therapist can read this")).to_be_visible()
